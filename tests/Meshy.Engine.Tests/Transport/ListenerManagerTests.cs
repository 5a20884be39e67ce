using System.Net;
using System.Net.Sockets;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Testing;
using static Meshy.Engine.Tests.Transport.SocketListenerTests;

namespace Meshy.Engine.Tests.Transport;

public sealed class ListenerManagerTests
{
    private static readonly RuntimeSettings ShortDrain = new() { DrainTimeout = TimeSpan.FromMilliseconds(300) };

    [Fact]
    public async Task ApplyAsync_ListenerRemoved_RefusesNewConnectionsAndLetsOpenSessionFinish()
    {
        var runtime = new RuntimeSettings { DrainTimeout = TimeSpan.FromSeconds(30) };
        await using ListenerHarness harness = await ListenerHarness.StartAsync(TestSnapshots.Snapshot(
            [TestSnapshots.Listener("tcp", TestSnapshots.AnyLoopbackPort, new EchoFilter())], runtime: runtime));
        IPEndPoint endPoint = harness.EndPoint();
        using Socket open = await Loopback.ConnectAsync(endPoint);
        await AssertEchoesAsync(open, "before");

        await harness.ReloadAsync(TestSnapshots.Snapshot([], runtime: runtime));

        Assert.False(harness.Manager.Listening.ContainsKey("tcp"));
        SocketException refused = await Assert.ThrowsAsync<SocketException>(() => Loopback.ConnectAsync(endPoint));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        await AssertEchoesAsync(open, "during the drain");

        open.Shutdown(SocketShutdown.Send);
        Assert.True(await Loopback.WaitForCloseAsync(open));
        await harness.Manager.WaitForDrainsAsync().WaitAsync(Loopback.DefaultTimeout);
        Assert.Equal(0, harness.Manager.ConnectionsCut);
    }

    [Fact]
    public async Task ApplyAsync_ListenerRemoved_SessionOutlivingDrainTimeoutIsCut()
    {
        await using ListenerHarness harness = await ListenerHarness.StartAsync(TestSnapshots.Snapshot(
            [TestSnapshots.Listener("tcp", TestSnapshots.AnyLoopbackPort, new EchoFilter())], runtime: ShortDrain));
        using Socket open = await Loopback.ConnectAsync(harness.EndPoint());
        await AssertEchoesAsync(open, "before");

        await harness.ReloadAsync(TestSnapshots.Snapshot([], runtime: ShortDrain));
        await harness.Manager.WaitForDrainsAsync().WaitAsync(Loopback.DefaultTimeout);

        Assert.Equal(1, harness.Manager.ConnectionsCut);
        Assert.True(await Loopback.WaitForCloseAsync(open));
        Assert.Equal(0, harness.Tracker.ActiveConnections);
    }

    [Fact]
    public async Task ApplyAsync_AddressChanged_RebindsAndOldAddressRefuses()
    {
        await using ListenerHarness harness = await ListenerHarness.StartAsync(TestSnapshots.Snapshot(
            [TestSnapshots.Listener("tcp", TestSnapshots.AnyLoopbackPort, new EchoFilter())], runtime: ShortDrain));
        IPEndPoint before = harness.EndPoint();

        // 127.0.0.2 is loopback too on Linux: a different address without leaving the machine.
        var moved = new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0);
        await harness.ReloadAsync(TestSnapshots.Snapshot(
            [TestSnapshots.Listener("tcp", moved, new EchoFilter())], runtime: ShortDrain));

        IPEndPoint after = harness.EndPoint();
        Assert.Equal(moved.Address, after.Address);
        using Socket client = await Loopback.ConnectAsync(after);
        await AssertEchoesAsync(client, "rebound");
        await Assert.ThrowsAsync<SocketException>(() => Loopback.ConnectAsync(before));
    }

    [Fact]
    public async Task ApplyAsync_SameAddress_KeepsSocketAndConnections()
    {
        await using ListenerHarness harness = await ListenerHarness.StartAsync(TestSnapshots.Snapshot(
            [TestSnapshots.Listener("tcp", TestSnapshots.AnyLoopbackPort, new EchoFilter())], runtime: ShortDrain));
        IPEndPoint before = harness.EndPoint();
        using Socket open = await Loopback.ConnectAsync(before);
        await AssertEchoesAsync(open, "before");

        await harness.ReloadAsync(TestSnapshots.Snapshot(
            [TestSnapshots.Listener("tcp", TestSnapshots.AnyLoopbackPort, new EchoFilter())], runtime: ShortDrain));

        Assert.Equal(before, harness.EndPoint());
        await AssertEchoesAsync(open, "after");
        Assert.Equal(0, harness.Manager.ConnectionsCut);
    }

    [Fact]
    public async Task ApplyAsync_AddressInUse_ThrowsNamingListenerAndAddress()
    {
        using var occupier = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupier.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupier.Listen();
        var taken = (IPEndPoint)occupier.LocalEndPoint!;
        ProxySnapshot snapshot = TestSnapshots.Snapshot(
        [
            TestSnapshots.Listener("ok", TestSnapshots.AnyLoopbackPort, new EchoFilter()),
            TestSnapshots.Listener("clash", taken, new EchoFilter()),
        ]);

        await using ListenerHarness harness = await ListenerHarness.StartAsync(TestSnapshots.Snapshot([]));
        ListenerBindException error = await Assert.ThrowsAsync<ListenerBindException>(() => harness.ReloadAsync(snapshot));

        ListenerBindFailure failure = Assert.Single(error.Failures);
        Assert.Equal("clash", failure.Listener);
        Assert.Equal(SocketError.AddressAlreadyInUse, failure.Error);
        Assert.Contains($"listener 'clash': cannot bind {taken}", error.Message);
        Assert.True(harness.Manager.Listening.ContainsKey("ok"));
    }

    [Fact]
    public async Task ApplyAsync_RebindFails_OldListenerKeepsServing()
    {
        using var occupier = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupier.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupier.Listen();
        await using ListenerHarness harness = await ListenerHarness.StartAsync(TestSnapshots.Snapshot(
            [TestSnapshots.Listener("tcp", TestSnapshots.AnyLoopbackPort, new EchoFilter())]));
        IPEndPoint before = harness.EndPoint();

        await Assert.ThrowsAsync<ListenerBindException>(() => harness.ReloadAsync(TestSnapshots.Snapshot(
            [TestSnapshots.Listener("tcp", (IPEndPoint)occupier.LocalEndPoint!, new EchoFilter())])));

        Assert.Equal(before, harness.EndPoint());
        using Socket client = await Loopback.ConnectAsync(before);
        await AssertEchoesAsync(client, "still here");
    }

    [Fact]
    public async Task DrainAllAsync_SessionOutlivesTimeout_CutsItAndReturnsCount()
    {
        await using ListenerHarness harness = await ListenerHarness.StartAsync(TestSnapshots.Snapshot(
        [
            TestSnapshots.Listener("a", TestSnapshots.AnyLoopbackPort, new EchoFilter()),
            TestSnapshots.Listener("b", TestSnapshots.AnyLoopbackPort, new EchoFilter()),
        ]));
        IPEndPoint a = harness.EndPoint("a");
        using Socket lingering = await Loopback.ConnectAsync(a);
        await AssertEchoesAsync(lingering, "x");

        int cut = await harness.Manager.DrainAllAsync(TimeSpan.FromMilliseconds(200)).WaitAsync(Loopback.DefaultTimeout);

        Assert.Equal(1, cut);
        Assert.True(harness.Manager.Draining);
        Assert.Empty(harness.Manager.Listening);
        Assert.True(await Loopback.WaitForCloseAsync(lingering));
        await Assert.ThrowsAsync<SocketException>(() => Loopback.ConnectAsync(a));
    }

    [Fact]
    public async Task DrainAllAsync_SessionEndsInTime_CutsNothing()
    {
        await using ListenerHarness harness = await ListenerHarness.StartAsync(TestSnapshots.Snapshot(
            [TestSnapshots.Listener("tcp", TestSnapshots.AnyLoopbackPort, new EchoFilter())]));
        using Socket client = await Loopback.ConnectAsync(harness.EndPoint());
        await AssertEchoesAsync(client, "x");

        Task<int> drain = harness.Manager.DrainAllAsync(TimeSpan.FromSeconds(30));
        await AssertEchoesAsync(client, "still flowing while draining");
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal(0, await drain.WaitAsync(Loopback.DefaultTimeout));
    }

    [Fact]
    public async Task ApplyAsync_AfterDrainAll_BindsNothing()
    {
        await using ListenerHarness harness = await ListenerHarness.StartAsync(TestSnapshots.Snapshot([]));
        await harness.Manager.DrainAllAsync(TimeSpan.Zero);

        await harness.ReloadAsync(TestSnapshots.Snapshot(
            [TestSnapshots.Listener("late", TestSnapshots.AnyLoopbackPort, new EchoFilter())]));

        Assert.Empty(harness.Manager.Listening);
    }
}
