using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Filters.TcpProxy;
using Meshy.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshy.Filters.Tests.TcpProxy;

public sealed class TcpProxyFilterTests
{
    private readonly UpstreamConnector _connector = new(PipeOptionsFactory.Default);

    [Fact]
    public async Task TcpProxy_Echo_RoundTripsThroughUpstream()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        TcpProxyFilter filter = NewFilter(TestSnapshots.Cluster("echo", upstream.EndPoint));
        await using ListenerHarness proxy = await StartAsync(filter);

        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        await AssertEchoesAsync(client, "hello through the proxy");
        client.Shutdown(SocketShutdown.Send);
        Assert.True(await Loopback.WaitForCloseAsync(client));

        await Loopback.WaitUntilAsync(() => filter.Counters.ConnectionsClosed == 1, "the session ends");
        Assert.Equal(1, filter.Counters.ConnectionsOpened);
        Assert.Equal(23, filter.Counters.ReceivedBytes);
        Assert.Equal(23, filter.Counters.SentBytes);
        Assert.Equal(1, upstream.Accepted);
    }

    [Fact]
    public async Task TcpProxy_HundredMegabytesEachWay_ArriveIntact()
    {
        const int chunk = 64 * 1024;
        const int chunks = 1600;   // 100 MiB
        await using FakeUpstream upstream = FakeUpstream.Echo();
        TcpProxyFilter filter = NewFilter(TestSnapshots.Cluster("echo", upstream.EndPoint));
        await using ListenerHarness proxy = await StartAsync(filter);
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());

        Task<(byte[] Hash, long Length)> receiving = Loopback.HashToEndAsync(client);
        using var sentHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var random = new Random(1234);
        byte[] buffer = new byte[chunk];
        for (int i = 0; i < chunks; i++)
        {
            random.NextBytes(buffer);
            sentHash.AppendData(buffer);
            await Loopback.SendAllAsync(client, buffer);
        }
        client.Shutdown(SocketShutdown.Send);
        (byte[] receivedHash, long receivedLength) = await receiving.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal((long)chunk * chunks, receivedLength);
        Assert.Equal(sentHash.GetHashAndReset(), receivedHash);
        await Loopback.WaitUntilAsync(() => filter.Counters.ConnectionsClosed == 1, "the session ends");
        Assert.Equal((long)chunk * chunks, filter.Counters.ReceivedBytes);
        Assert.Equal((long)chunk * chunks, filter.Counters.SentBytes);
    }

    [Fact]
    public async Task TcpProxy_FiveHundredConcurrentConnections_EachEchoesItsOwnBytes()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        // A generous connect timeout: on a cold two-core test host a burst of 500 connects can wait
        // a second for thread-pool threads, and this test is about concurrency, not timeouts.
        TcpProxyFilter filter = NewFilter(TestSnapshots.Cluster("echo", TimeSpan.FromSeconds(30),
            TestSnapshots.Endpoint("echo", upstream.EndPoint)));
        await using ListenerHarness proxy = await StartAsync(filter);

        await Task.WhenAll(Enumerable.Range(0, 500).Select(async i =>
        {
            using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
            await AssertEchoesAsync(client, $"connection {i} says hello");
            client.Shutdown(SocketShutdown.Send);
            Assert.True(await Loopback.WaitForCloseAsync(client));
        }));

        await Loopback.WaitUntilAsync(() => filter.Counters.ConnectionsClosed == 500, "every session ends");
        Assert.Equal(500, upstream.Accepted);
        Assert.Equal(0, proxy.Tracker.ActiveConnections);
    }

    [Fact]
    public async Task TcpProxy_ClientHalfCloses_StillReceivesUpstreamReply()
    {
        // The upstream answers only after the request's end of stream, like a batch job.
        await using FakeUpstream upstream = FakeUpstream.Start(async (socket, cancellationToken) =>
        {
            byte[] request = await Loopback.ReadToEndAsync(socket);
            await Loopback.SendAllAsync(socket, Encoding.ASCII.GetBytes($"got {request.Length} bytes"), cancellationToken);
        });
        await using ListenerHarness proxy = await StartAsync(NewFilter(TestSnapshots.Cluster("batch", upstream.EndPoint)));

        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        await Loopback.SendAllAsync(client, new byte[1000]);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("got 1000 bytes", Encoding.ASCII.GetString(await Loopback.ReadToEndAsync(client)));
    }

    [Fact]
    public async Task TcpProxy_UpstreamHalfClosesFirst_ClientKeepsSending()
    {
        var upstreamReceived = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeUpstream upstream = FakeUpstream.Start(async (socket, cancellationToken) =>
        {
            await Loopback.SendAllAsync(socket, "greeting"u8.ToArray(), cancellationToken);
            socket.Shutdown(SocketShutdown.Send);
            upstreamReceived.TrySetResult(Encoding.ASCII.GetString(await Loopback.ReadToEndAsync(socket)));
        });
        await using ListenerHarness proxy = await StartAsync(NewFilter(TestSnapshots.Cluster("talker", upstream.EndPoint)));

        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        Assert.Equal("greeting", Encoding.ASCII.GetString(await Loopback.ReadToEndAsync(client)));
        await Loopback.SendAllAsync(client, "sent after the upstream's FIN"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("sent after the upstream's FIN", await upstreamReceived.Task.WaitAsync(Loopback.DefaultTimeout));
    }

    [Fact]
    public async Task TcpProxy_UpstreamRefuses_ClientClosedPromptly()
    {
        using Socket refusing = Loopback.BindRefusing();
        TcpProxyFilter filter = NewFilter(TestSnapshots.Cluster("down", refusing.LocalEndPoint!));
        await using ListenerHarness proxy = await StartAsync(filter);

        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());

        Assert.True(await Loopback.WaitForCloseAsync(client));
        Assert.Equal(1, filter.Counters.ConnectFailures);
        Assert.Equal(0, filter.Counters.ConnectionsOpened);
    }

    [Fact]
    public async Task TcpProxy_UpstreamBlackholed_ClientClosedAfterConnectTimeout()
    {
        (Socket blackhole, IReadOnlyList<Socket> fillers) = await Loopback.BlackholeAsync();
        try
        {
            ClusterSnapshot cluster = TestSnapshots.Cluster("slow", TimeSpan.FromMilliseconds(200),
                TestSnapshots.Endpoint("slow", blackhole.LocalEndPoint!));
            TcpProxyFilter filter = NewFilter(cluster);
            await using ListenerHarness proxy = await StartAsync(filter);

            using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());

            Assert.True(await Loopback.WaitForCloseAsync(client));
            Assert.Equal(1, filter.Counters.ConnectFailures);
        }
        finally
        {
            blackhole.Dispose();
            foreach (Socket filler in fillers)
            {
                filler.Dispose();
            }
        }
    }

    [Fact]
    public async Task TcpProxy_NoAvailableEndpoint_PanicModeConnectsAnyway()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        ClusterSnapshot cluster = TestSnapshots.Cluster("sick", upstream.EndPoint);
        cluster.Endpoints[0].State.Healthy = false;
        TcpProxyFilter filter = NewFilter(cluster);
        await using ListenerHarness proxy = await StartAsync(filter);

        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        await AssertEchoesAsync(client, "panic");

        Assert.Equal(0, filter.Counters.NoHealthyUpstream);
        Assert.Equal(1, upstream.Accepted);
    }

    [Fact]
    public async Task TcpProxy_ClusterWithoutEndpoints_ClientClosedWithoutConnecting()
    {
        TcpProxyFilter filter = NewFilter(TestSnapshots.Cluster("empty", TimeSpan.FromSeconds(1)));
        await using ListenerHarness proxy = await StartAsync(filter);

        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());

        Assert.True(await Loopback.WaitForCloseAsync(client));
        Assert.Equal(1, filter.Counters.NoHealthyUpstream);
    }

    [Fact]
    public async Task TcpProxy_FirstEndpointRefuses_ConnectsToAnother()
    {
        using Socket refusing = Loopback.BindRefusing();
        await using FakeUpstream upstream = FakeUpstream.Echo();
        // Weight 10 on the dead endpoint: the first pick lands there.
        ClusterSnapshot cluster = TestSnapshots.Cluster("mixed", TimeSpan.FromSeconds(1),
            TestSnapshots.Endpoint("mixed", refusing.LocalEndPoint!, weight: 10),
            TestSnapshots.Endpoint("mixed", upstream.EndPoint));
        TcpProxyFilter filter = NewFilter(cluster);
        await using ListenerHarness proxy = await StartAsync(filter);

        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        await AssertEchoesAsync(client, "second try");

        Assert.Equal(1, filter.Counters.ConnectFailures);
        Assert.Equal(1, upstream.Accepted);
    }

    [Fact]
    public async Task TcpProxy_WeightedEndpoints_SpreadsSessionsByWeight()
    {
        await using FakeUpstream light = FakeUpstream.Echo();
        await using FakeUpstream heavy = FakeUpstream.Echo();
        ClusterSnapshot cluster = TestSnapshots.Cluster("weighted", TimeSpan.FromSeconds(1),
            TestSnapshots.Endpoint("weighted", light.EndPoint, weight: 1),
            TestSnapshots.Endpoint("weighted", heavy.EndPoint, weight: 2));
        await using ListenerHarness proxy = await StartAsync(NewFilter(cluster));

        for (int i = 0; i < 6; i++)
        {
            using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
            await AssertEchoesAsync(client, "x");
        }

        Assert.Equal(2, light.Accepted);
        Assert.Equal(4, heavy.Accepted);
    }

    [Fact]
    public async Task TcpProxy_UpstreamResets_ClientConnectionEndsPromptly()
    {
        await using FakeUpstream upstream = FakeUpstream.Start(async (socket, cancellationToken) =>
        {
            await Loopback.ReadExactlyAsync(socket, 5);
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        });
        TcpProxyFilter filter = NewFilter(TestSnapshots.Cluster("flaky", upstream.EndPoint));
        await using ListenerHarness proxy = await StartAsync(filter);

        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        await Loopback.SendAllAsync(client, "reset"u8.ToArray());

        Assert.True(await Loopback.WaitForCloseAsync(client));
        await Loopback.WaitUntilAsync(() => filter.Counters.ConnectionsClosed == 1, "the session ends");
    }

    [Fact]
    public async Task TcpProxy_ClientResets_UpstreamConnectionEndsPromptly()
    {
        var upstreamSawEnd = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeUpstream upstream = FakeUpstream.Start(async (socket, cancellationToken) =>
        {
            await Loopback.ReadExactlyAsync(socket, 5);
            upstreamSawEnd.TrySetResult(await Loopback.WaitForCloseAsync(socket));
        });
        await using ListenerHarness proxy = await StartAsync(NewFilter(TestSnapshots.Cluster("victim", upstream.EndPoint)));

        Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        await Loopback.SendAllAsync(client, "hello"u8.ToArray());
        await Loopback.WaitUntilAsync(() => upstream.Accepted == 1, "the upstream is connected");
        client.LingerState = new LingerOption(true, 0);
        client.Close();

        Assert.True(await upstreamSawEnd.Task.WaitAsync(Loopback.DefaultTimeout));
    }

    [Fact]
    public async Task TcpProxy_Session_CountsEndpointRequestsAndConnections()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        ClusterSnapshot cluster = TestSnapshots.Cluster("counted", upstream.EndPoint);
        EndpointState state = cluster.Endpoints[0].State;
        TcpProxyFilter filter = NewFilter(cluster);
        await using ListenerHarness proxy = await StartAsync(filter);

        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        await AssertEchoesAsync(client, "counting");
        Assert.Equal(1, state.ActiveRequests);
        Assert.Equal(1, state.ActiveConnections);

        client.Shutdown(SocketShutdown.Send);
        Assert.True(await Loopback.WaitForCloseAsync(client));
        await Loopback.WaitUntilAsync(() => filter.Counters.ConnectionsClosed == 1, "the session ends");

        Assert.Equal(0, state.ActiveRequests);
        Assert.Equal(1, state.TotalRequests);
        Assert.Equal(0, state.ActiveConnections);
    }

    [Fact]
    public async Task TcpProxy_DrainTimeoutPasses_SessionIsCutBothSides()
    {
        var upstreamSawEnd = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeUpstream upstream = FakeUpstream.Start(async (socket, cancellationToken) =>
        {
            try
            {
                await FakeUpstream.EchoAsync(socket, CancellationToken.None);
            }
            finally
            {
                upstreamSawEnd.TrySetResult(true);
            }
        });
        await using ListenerHarness proxy = await StartAsync(NewFilter(TestSnapshots.Cluster("long", upstream.EndPoint)));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        await AssertEchoesAsync(client, "long-lived");

        int cut = await proxy.Manager.DrainAllAsync(TimeSpan.FromMilliseconds(200)).WaitAsync(Loopback.DefaultTimeout);

        Assert.Equal(1, cut);
        Assert.True(await Loopback.WaitForCloseAsync(client));
        Assert.True(await upstreamSawEnd.Task.WaitAsync(Loopback.DefaultTimeout));
    }

    [Fact]
    public async Task TcpProxy_Draining_SessionContinuesUntilDone()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        TcpProxyFilter filter = NewFilter(TestSnapshots.Cluster("steady", upstream.EndPoint));
        await using ListenerHarness proxy = await StartAsync(filter);
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        await AssertEchoesAsync(client, "before");

        Task<int> drain = proxy.Manager.DrainAllAsync(TimeSpan.FromSeconds(30));
        await AssertEchoesAsync(client, "while draining");
        client.Shutdown(SocketShutdown.Send);

        Assert.True(await Loopback.WaitForCloseAsync(client));
        Assert.Equal(0, await drain.WaitAsync(Loopback.DefaultTimeout));
        Assert.Equal(1, filter.Counters.ConnectionsClosed);
    }

    private TcpProxyFilter NewFilter(ClusterSnapshot cluster) => new(cluster, _connector, NullLogger.Instance);

    private static Task<ListenerHarness> StartAsync(TcpProxyFilter filter) => ListenerHarness.StartAsync(TestSnapshots.Snapshot(
        [TestSnapshots.Listener("tcp", TestSnapshots.AnyLoopbackPort, filter)], [filter.Cluster]));

    private static async Task AssertEchoesAsync(Socket client, string text)
    {
        byte[] payload = Encoding.UTF8.GetBytes(text);
        await Loopback.SendAllAsync(client, payload);
        Assert.Equal(text, Encoding.UTF8.GetString(await Loopback.ReadExactlyAsync(client, payload.Length)));
    }
}
