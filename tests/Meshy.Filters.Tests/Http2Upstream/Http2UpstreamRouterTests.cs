using System.Net;
using System.Net.Sockets;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Frames;
using Meshy.Filters.Tests.HttpProxy;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http2Upstream;

/// <summary>The router over HTTP/2 upstreams with a scripted peer: GOAWAY, RST_STREAM, stream limits.</summary>
public sealed class Http2UpstreamRouterTests
{
    private static string Config(IPEndPoint backend, string ruleExtra = "", string clusterExtra = "") =>
        HttpProxyConfigs.Simple(backend, ruleExtra: ruleExtra, clusterExtra: "protocol = \"http2\"\n" + clusterExtra);

    [Fact]
    public async Task Router_GoAwayBeforeStreamProcessed_RetriedOnNewConnection()
    {
        await using var peer = new ScriptedH2Peer();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(peer.EndPoint));
        using HttpClient client = proxy.CreateClient();

        Task<HttpResponseMessage> pending = client.GetAsync("/x");
        using ScriptedH2Peer.PeerConnection first = await peer.AcceptAsync();
        await first.ReadHeadersAsync();
        await first.SendAsync(w => Http2FrameWriter.WriteGoAway(w, 0, Http2ErrorCode.NoError, default));
        using ScriptedH2Peer.PeerConnection second = await peer.AcceptAsync();
        var (streamId, fields, _) = await second.ReadHeadersAsync();
        Assert.Contains((":path", "/x"), fields);
        await second.SendHeadersAsync(streamId, endStream: true, (":status", "200"));

        HttpResponseMessage response = await pending;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, peer.Accepted);
        // the drained connection closes once its streams are gone
        Assert.Equal(0, await first.Socket.ReceiveAsync(new byte[64]));
    }

    [Fact]
    public async Task Router_RefusedStreamWithRetries_CountedRetryOnSameConnection()
    {
        await using var peer = new ScriptedH2Peer();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(peer.EndPoint,
            ruleExtra: """retries = { attempts = 2, on = ["refused-stream"] }"""));
        using HttpClient client = proxy.CreateClient();

        Task<HttpResponseMessage> pending = client.GetAsync("/pay");
        using ScriptedH2Peer.PeerConnection connection = await peer.AcceptAsync();
        var (firstId, firstFields, _) = await connection.ReadHeadersAsync();
        Assert.Contains((":method", "GET"), firstFields);
        Assert.Contains(("x-envoy-attempt-count", "1"), firstFields);
        await connection.SendAsync(w => Http2FrameWriter.WriteRstStream(w, firstId, Http2ErrorCode.RefusedStream));
        var (secondId, secondFields, _) = await connection.ReadHeadersAsync();
        Assert.Contains(("x-envoy-attempt-count", "2"), secondFields);
        await connection.SendHeadersAsync(secondId, endStream: true, (":status", "201"));

        Assert.Equal(HttpStatusCode.Created, (await pending).StatusCode);
        Assert.Equal(1, peer.Accepted);                // RST_STREAM ends the stream, not the connection
    }

    [Fact]
    public async Task Router_StreamResetBeforeHeadOnReusedConnection_503WithURNotResent()
    {
        await using var peer = new ScriptedH2Peer();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(peer.EndPoint));
        using HttpClient client = proxy.CreateClient();
        Task<HttpResponseMessage> warm = client.GetAsync("/warm");
        using ScriptedH2Peer.PeerConnection connection = await peer.AcceptAsync();
        var (warmId, _, _) = await connection.ReadHeadersAsync();
        await connection.SendHeadersAsync(warmId, endStream: true, (":status", "200"));
        Assert.Equal(HttpStatusCode.OK, (await warm).StatusCode);

        Task<HttpResponseMessage> pending = client.GetAsync("/reset");
        var (streamId, _, _) = await connection.ReadHeadersAsync();
        await connection.SendAsync(w => Http2FrameWriter.WriteRstStream(w, streamId, Http2ErrorCode.InternalError));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await pending).StatusCode);
        // not resent: the next HEADERS the peer sees is the next request's
        Task<HttpResponseMessage> after = client.GetAsync("/after");
        var (afterId, afterFields, _) = await connection.ReadHeadersAsync();
        Assert.Contains((":path", "/after"), afterFields);
        await connection.SendHeadersAsync(afterId, endStream: true, (":status", "200"));
        Assert.Equal(HttpStatusCode.OK, (await after).StatusCode);
        await Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Any(l => l.Contains("/reset -> 503 flags UR ", StringComparison.Ordinal)),
            "the reset is logged with flags UR");
    }

    [Fact]
    public async Task Router_MalformedResponseHead_502()
    {
        await using var peer = new ScriptedH2Peer();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(peer.EndPoint));
        using HttpClient client = proxy.CreateClient();

        Task<HttpResponseMessage> pending = client.GetAsync("/bad");
        using ScriptedH2Peer.PeerConnection connection = await peer.AcceptAsync();
        var (streamId, _, _) = await connection.ReadHeadersAsync();
        await connection.SendHeadersAsync(streamId, endStream: true, (":status", "2x0"));

        Assert.Equal(HttpStatusCode.BadGateway, (await pending).StatusCode);
    }

    [Fact]
    public async Task Router_PeerAllowsOneConcurrentStream_SecondRequestOpensSecondConnection()
    {
        await using var peer = new ScriptedH2Peer();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(peer.EndPoint));
        using HttpClient client = proxy.CreateClient(maxConnections: 2);
        var oneStream = new Http2Setting(Http2SettingId.MaxConcurrentStreams, 1);

        Task<HttpResponseMessage> firstRequest = client.GetAsync("/one");
        using ScriptedH2Peer.PeerConnection first = await peer.AcceptAsync(oneStream);
        var (firstId, _, _) = await first.ReadHeadersAsync();
        Task<HttpResponseMessage> secondRequest = client.GetAsync("/two");
        using ScriptedH2Peer.PeerConnection second = await peer.AcceptAsync(oneStream);
        var (secondId, fields, _) = await second.ReadHeadersAsync();
        Assert.Contains((":path", "/two"), fields);

        await first.SendHeadersAsync(firstId, endStream: true, (":status", "200"));
        await second.SendHeadersAsync(secondId, endStream: true, (":status", "200"));
        Assert.Equal(HttpStatusCode.OK, (await firstRequest).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await secondRequest).StatusCode);
        Assert.Equal(2, peer.Accepted);
    }

    [Fact]
    public async Task Router_MaxConnectionsReachedAndStreamsFull_NoPending503WithUO()
    {
        await using var peer = new ScriptedH2Peer();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(peer.EndPoint,
            clusterExtra: "limits = { max_connections = 1, max_pending_requests = 0 }"));
        using HttpClient client = proxy.CreateClient(maxConnections: 2);

        Task<HttpResponseMessage> held = client.GetAsync("/held");
        using ScriptedH2Peer.PeerConnection connection = await peer.AcceptAsync(new Http2Setting(Http2SettingId.MaxConcurrentStreams, 1));
        var (streamId, _, _) = await connection.ReadHeadersAsync();
        HttpResponseMessage refused = await client.GetAsync("/refused");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        await Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Any(l => l.Contains("/refused -> 503 flags UO ", StringComparison.Ordinal)),
            "the refused request is logged with flags UO");
        await connection.SendHeadersAsync(streamId, endStream: true, (":status", "200"));
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
    }

    [Theory]
    [InlineData("timeout = \"1s\"", "")]           // the rule's timeout
    [InlineData("", "read_timeout = \"1s\"")]      // the cluster's read_timeout, with no rule timeout
    public async Task Router_TimeoutBeforeHead_504UTAndOnlyTheStreamIsReset(string ruleExtra, string clusterExtra)
    {
        await using var peer = new ScriptedH2Peer();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(peer.EndPoint, ruleExtra, clusterExtra));
        using HttpClient client = proxy.CreateClient();

        // 1 s: the cold connection and the HEADERS must reach the peer before the timeout (CI's 2 cores are busy).
        Task<HttpResponseMessage> late = client.GetAsync("/late");
        using ScriptedH2Peer.PeerConnection connection = await peer.AcceptAsync();
        var (lateId, _, _) = await connection.ReadHeadersAsync();
        Assert.Equal(HttpStatusCode.GatewayTimeout, (await late).StatusCode);
        ScriptedH2Peer.PeerFrame reset = await connection.ReadFrameAsync(Http2FrameType.RstStream);
        Assert.Equal(lateId, reset.Header.StreamId);
        await Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Any(l => l.Contains("/late -> 504 flags UT ", StringComparison.Ordinal)),
            "the timeout is logged with flags UT");

        // the connection itself carries on
        Task<HttpResponseMessage> next = client.GetAsync("/next");
        var (nextId, _, _) = await connection.ReadHeadersAsync();
        await connection.SendHeadersAsync(nextId, endStream: true, (":status", "200"));
        Assert.Equal(HttpStatusCode.OK, (await next).StatusCode);
        Assert.Equal(1, peer.Accepted);
    }

    [Fact]
    public async Task Router_UpstreamSilentMidBodyPastReadTimeout_ClientResponseBreaksOffAndOnlyTheStreamIsReset()
    {
        await using var peer = new ScriptedH2Peer();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(peer.EndPoint, clusterExtra: "read_timeout = \"1s\""));
        using HttpClient client = proxy.CreateClient();

        // the head, part of the body, then silence: the client's response breaks off, the stream is reset
        Task<HttpResponseMessage> stalled = client.GetAsync("/stalled", HttpCompletionOption.ResponseHeadersRead);
        using ScriptedH2Peer.PeerConnection connection = await peer.AcceptAsync();
        var (stalledId, _, _) = await connection.ReadHeadersAsync();
        await connection.SendHeadersAsync(stalledId, endStream: false, (":status", "200"), ("content-length", "1000"));
        await connection.SendDataAsync(stalledId, "first part", endStream: false);
        HttpResponseMessage response = await stalled;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Exception broken = await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(broken is TimeoutException, "the response hung instead of breaking off");
        Assert.Equal(stalledId, (await connection.ReadFrameAsync(Http2FrameType.RstStream)).Header.StreamId);

        // the connection itself carries on
        Task<HttpResponseMessage> next = client.GetAsync("/next");
        var (nextId, _, _) = await connection.ReadHeadersAsync();
        await connection.SendHeadersAsync(nextId, endStream: true, (":status", "200"));
        Assert.Equal(HttpStatusCode.OK, (await next).StatusCode);
        Assert.Equal(1, peer.Accepted);
    }

    [Fact]
    public async Task Router_StreamsFullAndMaxConnectionsReached_RequestWaitsAsPendingForAStreamSlot()
    {
        await using var peer = new ScriptedH2Peer();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(peer.EndPoint,
            clusterExtra: "limits = { max_connections = 1, max_pending_requests = 1 }"));
        using HttpClient client = proxy.CreateClient(maxConnections: 2);

        Task<HttpResponseMessage> first = client.GetAsync("/first");
        using ScriptedH2Peer.PeerConnection connection = await peer.AcceptAsync(new Http2Setting(Http2SettingId.MaxConcurrentStreams, 1));
        var (firstId, _, _) = await connection.ReadHeadersAsync();
        Task<HttpResponseMessage> second = client.GetAsync("/second");
        await Loopback.WaitUntilAsync(() => proxy.Pools.GetBudget("backend").Pending == 1, "the second request is pending");

        await connection.SendHeadersAsync(firstId, endStream: true, (":status", "200"));
        var (secondId, fields, _) = await connection.ReadHeadersAsync();
        Assert.Contains((":path", "/second"), fields);
        await connection.SendHeadersAsync(secondId, endStream: true, (":status", "200"));

        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second).StatusCode);
        Assert.Equal(1, peer.Accepted);
    }

    [Fact]
    public async Task Router_UpstreamResetsConnectionWithStreamsInFlight_Each503QuicklyAndNextRequestOnNewConnection()
    {
        await using var peer = new ScriptedH2Peer();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(peer.EndPoint));
        using HttpClient http1 = proxy.CreateClient(maxConnections: 8);
        using HttpClient http2 = CreateHttp2Client(proxy);

        // 1. POSTs whose HEADERS and whole (small) body went up, and one whose 1 MiB body waits for window
        Task<HttpResponseMessage> first = http1.PostAsync("/post/0", new StringContent("body-0"));
        using ScriptedH2Peer.PeerConnection connection = await peer.AcceptAsync();
        var posts = new List<Task<HttpResponseMessage>> { first };
        for (int i = 1; i < 8; i++)
        {
            posts.Add(http1.PostAsync($"/post/{i}", new StringContent($"body-{i}")));
        }
        int headers = 0;
        int ended = 0;
        long data = 0;
        // The small bodies first: sent alongside the 1 MiB one, they could find the connection window spent by it.
        while (headers < 8 || ended < 8)
        {
            await ReadFrameAsync();
        }
        Task<HttpResponseMessage> stalled = http2.PostAsync("/stalled", new ByteArrayContent(new byte[1 << 20]));
        // (the connection window, 65535, runs out: the 1 MiB body's send waits for a WINDOW_UPDATE that never comes)
        while (headers < 9 || data < Http2Settings.Default.InitialWindowSize)
        {
            await ReadFrameAsync();
        }
        async Task ReadFrameAsync()
        {
            ScriptedH2Peer.PeerFrame frame = await connection.ReadFrameAsync();
            if (frame.Header.Type == Http2FrameType.Headers)
            {
                headers++;
            }
            else if (frame.Header.Type == Http2FrameType.Data)
            {
                data += frame.Payload.Length;
                ended += frame.Header.HasFlag(Http2FrameFlags.EndStream) ? 1 : 0;
            }
        }
        Assert.Equal(Http2Settings.Default.InitialWindowSize, data);

        // 2. the upstream connection is reset: every request is answered at once, none waits for a head
        connection.Socket.LingerState = new LingerOption(true, 0);
        connection.Socket.Close();
        HttpResponseMessage[] answers = await Task.WhenAll(posts.Append(stalled)).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode));
        await Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Count(l => l.Contains("-> 503 flags UR ", StringComparison.Ordinal)) == 9,
            "every request is logged as reset by the upstream (UR)");

        // 3. the next request goes to a new connection
        Task<HttpResponseMessage> next = http1.GetAsync("/next");
        using ScriptedH2Peer.PeerConnection second = await peer.AcceptAsync();
        var (nextId, fields, _) = await second.ReadHeadersAsync();
        Assert.Contains((":path", "/next"), fields);
        await second.SendHeadersAsync(nextId, endStream: true, (":status", "200"));
        Assert.Equal(HttpStatusCode.OK, (await next).StatusCode);
        Assert.Equal(2, peer.Accepted);
    }

    [Fact]
    public async Task Router_UpstreamClosesEveryConnectionRightAfterItsSettings_Requests503WithoutHanging()
    {
        await using var peer = new ScriptedH2Peer();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(peer.EndPoint));
        using HttpClient client = proxy.CreateClient(maxConnections: 8);
        using var stop = new CancellationTokenSource();
        // The HEADERS of the requests that got a stream are queued or on the wire when the FIN arrives.
        Task closer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using ScriptedH2Peer.PeerConnection connection = await peer.AcceptAsync();
                    connection.Socket.Shutdown(SocketShutdown.Send);
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return;
                }
            }
        });

        HttpResponseMessage[] answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.GetAsync($"/closed/{i}")))
            .WaitAsync(TimeSpan.FromSeconds(5));

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode));
        Assert.InRange(peer.Accepted, 1, 16);                 // one try each, and at most one free retry of a closed connection
        stop.Cancel();
        await peer.DisposeAsync();
        await closer.WaitAsync(Loopback.DefaultTimeout);
    }

    /// <summary>An HTTP/2 (h2c, prior knowledge) client through the proxy.</summary>
    private static HttpClient CreateHttp2Client(HttpProxyHarness proxy) =>
        new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
        {
            BaseAddress = proxy.BaseUri(),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
}
