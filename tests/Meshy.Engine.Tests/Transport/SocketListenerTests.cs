using System.Net;
using System.Net.Sockets;
using System.Text;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Testing;

namespace Meshy.Engine.Tests.Transport;

public sealed class SocketListenerTests
{
    [Fact]
    public async Task Listener_PortZero_ExposesBoundPort()
    {
        await using ListenerHarness harness = await ListenerHarness.StartAsync(
            TestSnapshots.Snapshot([TestSnapshots.Listener("tcp", TestSnapshots.AnyLoopbackPort, new EchoFilter())]));

        Assert.NotEqual(0, harness.EndPoint().Port);
        using Socket client = await Loopback.ConnectAsync(harness.EndPoint());
        await AssertEchoesAsync(client, "hello");
    }

    [Fact]
    public async Task Listener_IPv6Loopback_Accepts()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return;
        }
        await using ListenerHarness harness = await ListenerHarness.StartAsync(TestSnapshots.Snapshot(
            [TestSnapshots.Listener("tcp", new IPEndPoint(IPAddress.IPv6Loopback, 0), new EchoFilter())]));

        Assert.Equal(AddressFamily.InterNetworkV6, harness.EndPoint().AddressFamily);
        using Socket client = await Loopback.ConnectAsync(harness.EndPoint());
        await AssertEchoesAsync(client, "over IPv6");
    }

    [Fact]
    public async Task Listener_FiltersInOrder_StopsAtFirstStop()
    {
        var first = new ScriptedFilter("a", FilterStatus.Continue);
        var second = new ScriptedFilter("b", FilterStatus.Stop);
        var third = new ScriptedFilter("c", FilterStatus.Stop);
        await using ListenerHarness harness = await ListenerHarness.StartAsync(
            TestSnapshots.Snapshot([TestSnapshots.Listener("tcp", TestSnapshots.AnyLoopbackPort, first, second, third)]));

        using Socket client = await Loopback.ConnectAsync(harness.EndPoint());
        byte[] received = await Loopback.ReadToEndAsync(client);

        Assert.Equal("ab", Encoding.ASCII.GetString(received));
        Assert.Equal(0, third.Calls);
    }

    [Fact]
    public async Task Listener_FilterThrows_ClosesThatConnectionAndKeepsAccepting()
    {
        var failing = new ScriptedFilter("", FilterStatus.Continue, throwFirst: 1);
        await using ListenerHarness harness = await ListenerHarness.StartAsync(
            TestSnapshots.Snapshot([TestSnapshots.Listener("tcp", TestSnapshots.AnyLoopbackPort, failing, new EchoFilter())]));

        using Socket broken = await Loopback.ConnectAsync(harness.EndPoint());
        Assert.True(await Loopback.WaitForCloseAsync(broken));

        using Socket client = await Loopback.ConnectAsync(harness.EndPoint());
        await AssertEchoesAsync(client, "still serving");
        await Loopback.WaitUntilAsync(() => harness.Tracker.ActiveConnections == 1, "the failed connection is released");
    }

    [Fact]
    public async Task Listener_ConnectionEnds_ReleasesItsSlot()
    {
        await using ListenerHarness harness = await ListenerHarness.StartAsync(
            TestSnapshots.Snapshot([TestSnapshots.Listener("tcp", TestSnapshots.AnyLoopbackPort, new EchoFilter())]));

        using (Socket client = await Loopback.ConnectAsync(harness.EndPoint()))
        {
            await AssertEchoesAsync(client, "x");
            Assert.Equal(1, harness.Tracker.GetActiveConnections("tcp"));
            client.Shutdown(SocketShutdown.Send);
            Assert.True(await Loopback.WaitForCloseAsync(client));
        }

        await Loopback.WaitUntilAsync(() => harness.Tracker.ActiveConnections == 0, "the connection is released");
        Assert.Equal(0, harness.Tracker.GetActiveConnections("tcp"));
        Assert.Equal(1, harness.Tracker.ForListener("tcp").Accepted);
    }

    [Fact]
    public async Task Listener_MaxConnectionsReached_NextConnectionClosedAtOnce()
    {
        var runtime = new RuntimeSettings { MaxConnections = 2 };
        await using ListenerHarness harness = await ListenerHarness.StartAsync(TestSnapshots.Snapshot(
            [TestSnapshots.Listener("tcp", TestSnapshots.AnyLoopbackPort, new EchoFilter())], runtime: runtime));

        using Socket first = await Loopback.ConnectAsync(harness.EndPoint());
        using Socket second = await Loopback.ConnectAsync(harness.EndPoint());
        await AssertEchoesAsync(first, "1");
        await AssertEchoesAsync(second, "2");

        using Socket third = await Loopback.ConnectAsync(harness.EndPoint());
        Assert.True(await Loopback.WaitForCloseAsync(third));
        Assert.Equal(1, harness.Tracker.ForListener("tcp").Rejected);

        // A slot freed is a slot available again.
        first.Shutdown(SocketShutdown.Send);
        Assert.True(await Loopback.WaitForCloseAsync(first));
        await Loopback.WaitUntilAsync(() => harness.Tracker.ActiveConnections == 1, "the first connection is released");
        using Socket fourth = await Loopback.ConnectAsync(harness.EndPoint());
        await AssertEchoesAsync(fourth, "4");
        await AssertEchoesAsync(second, "2 again");
    }

    [Fact]
    public async Task Listener_MaxConnections_CountsAcrossListeners()
    {
        var runtime = new RuntimeSettings { MaxConnections = 1 };
        await using ListenerHarness harness = await ListenerHarness.StartAsync(TestSnapshots.Snapshot(
            [
                TestSnapshots.Listener("a", TestSnapshots.AnyLoopbackPort, new EchoFilter()),
                TestSnapshots.Listener("b", TestSnapshots.AnyLoopbackPort, new EchoFilter()),
            ],
            runtime: runtime));

        using Socket onA = await Loopback.ConnectAsync(harness.EndPoint("a"));
        await AssertEchoesAsync(onA, "a");
        using Socket onB = await Loopback.ConnectAsync(harness.EndPoint("b"));

        Assert.True(await Loopback.WaitForCloseAsync(onB));
        Assert.Equal(1, harness.Tracker.ForListener("b").Rejected);
    }

    [Fact]
    public async Task Listener_SnapshotReloadedWithSameSocket_NewConnectionsUseNewFilters()
    {
        var before = new ScriptedFilter("old", FilterStatus.Stop);
        var after = new ScriptedFilter("new", FilterStatus.Stop);
        await using ListenerHarness harness = await ListenerHarness.StartAsync(
            TestSnapshots.Snapshot([TestSnapshots.Listener("tcp", TestSnapshots.AnyLoopbackPort, before)]));
        var endPoint = harness.EndPoint();

        await harness.ReloadAsync(TestSnapshots.Snapshot([TestSnapshots.Listener("tcp", TestSnapshots.AnyLoopbackPort, after)]));

        Assert.Equal(endPoint, harness.EndPoint());
        using Socket client = await Loopback.ConnectAsync(endPoint);
        Assert.Equal("new", Encoding.ASCII.GetString(await Loopback.ReadToEndAsync(client)));
    }

    internal static async Task AssertEchoesAsync(Socket client, string text)
    {
        byte[] payload = Encoding.UTF8.GetBytes(text);
        await Loopback.SendAllAsync(client, payload);
        byte[] echoed = await Loopback.ReadExactlyAsync(client, payload.Length);
        Assert.Equal(text, Encoding.UTF8.GetString(echoed));
    }
}
