using System.Net;
using System.Text;
using Meshy.Filters.Http2;
using Meshy.Filters.Tests.HttpProxy;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http2Proxy;

/// <summary>HTTP/2 (h2c prior knowledge) clients through a real listener to HTTP/1.1 upstreams.</summary>
public sealed class Http2ProxyTests
{
    [Fact]
    public async Task Http2Proxy_Get_ReturnsUpstreamResponseOverHttp2()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using HttpClient client = Http2Clients.Create(proxy);

        HttpResponseMessage response = await client.GetAsync("/hello?x=1");

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("GET /hello?x=1 len=0", await response.Content.ReadAsStringAsync());
        FakeHttpRequest received = Assert.Single(upstream.Requests);
        Assert.Equal($"127.0.0.1:{proxy.EndPoint().Port}", received.Head.Header("host"));
        Assert.Equal("127.0.0.1", received.Head.Header("x-forwarded-for"));
        Assert.NotNull(received.Head.Header("x-request-id"));
    }

    [Fact]
    public async Task Http2Proxy_PostWithContentLength_BodyArrivesWithLength()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using HttpClient client = Http2Clients.Create(proxy);
        byte[] payload = Http2Clients.RandomBytes(300_000, seed: 1);

        HttpResponseMessage response = await client.PostAsync("/upload", new ByteArrayContent(payload));

        Assert.Equal("POST /upload len=300000", await response.Content.ReadAsStringAsync());
        FakeHttpRequest received = Assert.Single(upstream.Requests);
        Assert.Equal(payload, received.Body);
        Assert.Equal("300000", received.Head.Header("content-length"));
    }

    [Fact]
    public async Task Http2Proxy_PostWithoutLength_BodyArrivesChunked()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using HttpClient client = Http2Clients.Create(proxy);
        byte[] payload = Http2Clients.RandomBytes(100_000, seed: 2);
        var content = new UnknownLengthContent(payload);                // no content-length: DATA until END_STREAM

        HttpResponseMessage response = await client.PostAsync("/stream", content);

        Assert.Equal("POST /stream len=100000", await response.Content.ReadAsStringAsync());
        FakeHttpRequest received = Assert.Single(upstream.Requests);
        Assert.Equal("chunked", received.Head.Header("transfer-encoding"));
        Assert.Equal(payload, received.Body);
    }

    [Fact]
    public async Task Http2Proxy_UpstreamDiesMidBody_StreamResetWithInternalErrorAndConnectionGoesOn()
    {
        byte[] part = Http2Clients.RandomBytes(1000, seed: 5);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            if (request.Head.Target != "/dies")
            {
                return await FakeHttpUpstream.EchoAsync(request, cancellationToken);
            }
            await request.ReadBodyAsync();
            await request.SendAsync([.. "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"u8, .. part], cancellationToken);
            return false;                                           // closes 99 000 bytes short
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        await connection.SendGetAsync(1, "/dies");
        RawHttp2Response truncated = await connection.ReadResponseAsync(1);      // ends at END_STREAM or RST_STREAM
        await connection.SendGetAsync(3, "/after");
        RawHttp2Response after = await connection.ReadResponseAsync(3);

        // The head went out before the failure: the stream is reset so the short body never looks complete.
        Assert.Equal(200, truncated.Status);
        Assert.Equal("100000", truncated.Header("content-length"));
        Assert.True(truncated.ResetCode == Http2ErrorCode.InternalError, $"ended by {truncated.ResetCode?.ToString() ?? "END_STREAM"} after {truncated.Body.Length} bytes");
        Assert.True(part.AsSpan().StartsWith(truncated.Body), "the body is not a prefix of what the upstream sent");
        Assert.Equal(200, after.Status);
        Assert.Equal("GET /after len=0", Encoding.ASCII.GetString(after.Body));
    }

    [Fact]
    public async Task Http2Proxy_NoRoute_Answers404WithNR()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(
            HttpProxyConfigs.Simple(upstream.EndPoint).Replace("match.path.prefix = \"/\"", "match.path.prefix = \"/only\""));
        using HttpClient client = Http2Clients.Create(proxy);

        HttpResponseMessage response = await client.GetAsync("/elsewhere");

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("no route matched the request\n", await response.Content.ReadAsStringAsync());
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Http2Proxy_UpstreamDown_Answers503()
    {
        using System.Net.Sockets.Socket refusing = Loopback.BindRefusing();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple((IPEndPoint)refusing.LocalEndPoint!));
        using HttpClient client = Http2Clients.Create(proxy);

        HttpResponseMessage response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
    }

    [Fact]
    public async Task Http2Proxy_ManyConcurrentRequestsOnOneConnection_AllSucceed()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using HttpClient client = Http2Clients.Create(proxy);

        string[] bodies = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => client.GetStringAsync($"/r{i}")));

        for (int i = 0; i < bodies.Length; i++)
        {
            Assert.Equal($"GET /r{i} len=0", bodies[i]);
        }
    }

    [Fact]
    public async Task Http2Proxy_LargeBodiesBothWays_FlowControlledWhole()
    {
        const int size = 32 * 1024 * 1024;
        byte[] payload = Http2Clients.RandomBytes(size, seed: 3);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            byte[] body = await request.ReadBodyAsync();
            await request.RespondAsync(200, body, cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using HttpClient client = Http2Clients.Create(proxy);

        HttpResponseMessage response = await client.PostAsync("/big", new ByteArrayContent(payload));
        byte[] echoed = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(size, echoed.Length);
        Assert.True(payload.AsSpan().SequenceEqual(echoed));
    }

    [Fact]
    public async Task Http2Proxy_ChunkedResponseWithTrailers_ReachesClientAsTrailers()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            await request.SendAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-checksum\r\nConnection: keep-alive\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nx-checksum: abc\r\n\r\n", cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using HttpClient client = Http2Clients.Create(proxy);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.TE.ParseAdd("trailers");

        HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal("hello world", await response.Content.ReadAsStringAsync());
        Assert.Equal("abc", Assert.Single(response.TrailingHeaders.GetValues("x-checksum")));
        Assert.False(response.Headers.Contains("connection"));
    }

    [Fact]
    public async Task Http2Proxy_RequestTrailers_ForwardedChunkedToHttp1Upstream()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using var connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        await connection.SendHeadersAsync(1, endStream: false, (":method", "POST"), (":scheme", "http"), (":authority", "a"), (":path", "/t"));
        await connection.SendDataAsync(1, Encoding.ASCII.GetBytes("hello"), endStream: false);
        await connection.SendHeadersAsync(1, endStream: true, ("x-checksum", "42"));
        RawHttp2Response response = await connection.ReadResponseAsync(1);

        Assert.Equal(200, response.Status);
        Assert.Equal("POST /t len=5", Encoding.ASCII.GetString(response.Body));
        FakeHttpRequest received = Assert.Single(upstream.Requests);
        Assert.Equal("chunked", received.Head.Header("transfer-encoding"));
        Assert.Contains(("x-checksum", "42"), received.Head.Trailers);
    }

    [Fact]
    public async Task Http2Proxy_PostRetriedAfter503_BodyReplayedWhole()
    {
        int calls = 0;
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            byte[] body = await request.ReadBodyAsync();
            if (Interlocked.Increment(ref calls) == 1)
            {
                await request.RespondAsync(503, [], cancellationToken);
                return true;
            }
            await request.RespondAsync(200, body, cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            ruleExtra: "retries = { attempts = 2, on = [\"503\"], non_idempotent = true }"));
        using HttpClient client = Http2Clients.Create(proxy);
        byte[] payload = Http2Clients.RandomBytes(20_000, seed: 4);

        HttpResponseMessage response = await client.PostAsync("/retry", new ByteArrayContent(payload));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(payload, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(2, upstream.Requests.Count);
    }
}
