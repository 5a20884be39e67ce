using System.Net;
using Meshy.Engine.Upstream;

namespace Meshy.Engine.Tests.Upstream;

/// <summary>The bounded registry of original-destination endpoints behind HTTP passthrough.</summary>
public sealed class OriginalDestinationRegistryTests
{
    private static readonly IPEndPoint First = IPEndPoint.Parse("10.1.2.3:8080");
    private static readonly IPEndPoint Second = IPEndPoint.Parse("10.1.2.4:8080");

    [Fact]
    public void Get_SameAddressTwice_ReturnsOneKeptEndpointOfPassthroughCluster()
    {
        var registry = new OriginalDestinationRegistry();

        EndpointSnapshot first = registry.Get(First, out bool firstKept);
        EndpointSnapshot again = registry.Get(IPEndPoint.Parse("10.1.2.3:8080"), out bool againKept);

        Assert.Same(first, again);
        Assert.True(firstKept && againKept);
        Assert.Equal(1, registry.Count);
        Assert.Equal("10.1.2.3:8080", first.Address);
        Assert.Equal(First, first.EndPoint);
        Assert.Equal(PassthroughCluster.Name, first.State.ClusterName);
    }

    [Fact]
    public void Sweep_EntryUnusedPastIdleExpiry_IsForgotten()
    {
        var clock = new ManualClock();
        var registry = new OriginalDestinationRegistry(clock, idleExpiry: TimeSpan.FromSeconds(60));
        EndpointSnapshot first = registry.Get(First, out _);
        registry.Get(Second, out _);

        clock.Advance(TimeSpan.FromSeconds(30));
        registry.Get(Second, out _);                     // used again: its idle time starts over
        clock.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal(1, registry.Sweep());
        Assert.Equal(1, registry.Count);
        Assert.NotSame(first, registry.Get(First, out _));
    }

    [Fact]
    public void Sweep_EntryWithOpenConnectionOrRequest_IsKept()
    {
        var clock = new ManualClock();
        var registry = new OriginalDestinationRegistry(clock, idleExpiry: TimeSpan.FromSeconds(60));
        EndpointSnapshot pooled = registry.Get(First, out _);
        EndpointSnapshot busy = registry.Get(Second, out _);
        pooled.State.ConnectionOpened();                 // an idle pooled connection
        busy.State.RequestStarted();                     // a long request in flight

        clock.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(0, registry.Sweep());
        Assert.Same(pooled, registry.Get(First, out _));
        Assert.Same(busy, registry.Get(Second, out _));
    }

    [Fact]
    public void Get_RegistryFull_ReturnsEndpointNotKept()
    {
        var registry = new OriginalDestinationRegistry(capacity: 1);
        registry.Get(First, out _);

        EndpointSnapshot overflow = registry.Get(Second, out bool kept);

        Assert.False(kept);
        Assert.Equal(Second, overflow.EndPoint);
        Assert.Equal(1, registry.Count);
        Assert.NotSame(overflow, registry.Get(Second, out _));
    }

    [Fact]
    public void Get_NewAddressAfterSweepInterval_SweepsExpiredEntries()
    {
        var clock = new ManualClock();
        var registry = new OriginalDestinationRegistry(clock, idleExpiry: TimeSpan.FromSeconds(60), capacity: 1);
        registry.Get(First, out _);

        clock.Advance(TimeSpan.FromSeconds(61));
        registry.Get(Second, out bool kept);

        // The insertion swept the expired entry first, so the new one found room.
        Assert.True(kept);
        Assert.Equal(1, registry.Count);
    }

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _timestamp = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _timestamp;

        public void Advance(TimeSpan by) => _timestamp += by.Ticks;
    }
}
