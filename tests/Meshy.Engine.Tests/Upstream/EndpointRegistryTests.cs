using System.Net;
using Meshy.Engine.Upstream;
using Meshy.Testing;

namespace Meshy.Engine.Tests.Upstream;

public sealed class EndpointRegistryTests
{
    [Fact]
    public void GetOrCreate_SameClusterAndAddress_ReturnsSameState()
    {
        var registry = new EndpointRegistry();

        EndpointState first = registry.GetOrCreate("db", "10.0.0.9:5432");
        EndpointState again = registry.GetOrCreate("db", "10.0.0.9:5432");
        EndpointState otherCluster = registry.GetOrCreate("cache", "10.0.0.9:5432");

        Assert.Same(first, again);
        Assert.NotSame(first, otherCluster);
        Assert.Equal("db", first.ClusterName);
        Assert.Equal("10.0.0.9:5432", first.Address);
    }

    [Fact]
    public void Prune_EndpointGoneFromSnapshot_ForgetsOnlyIt()
    {
        var registry = new EndpointRegistry();
        var kept = new IPEndPoint(IPAddress.Loopback, 1001);
        var gone = new IPEndPoint(IPAddress.Loopback, 1002);
        EndpointSnapshot keptEndpoint = TestSnapshots.Endpoint("c", kept, registry: registry);
        EndpointSnapshot goneEndpoint = TestSnapshots.Endpoint("c", gone, registry: registry);
        keptEndpoint.State.RequestStarted();

        int removed = registry.Prune(TestSnapshots.Snapshot([], [TestSnapshots.Cluster("c", TimeSpan.FromSeconds(1), keptEndpoint)]));

        Assert.Equal(1, removed);
        Assert.Same(keptEndpoint.State, registry.GetOrCreate("c", kept.ToString()));
        Assert.Equal(1, registry.GetOrCreate("c", kept.ToString()).TotalRequests);
        Assert.NotSame(goneEndpoint.State, registry.GetOrCreate("c", gone.ToString()));
    }
}
