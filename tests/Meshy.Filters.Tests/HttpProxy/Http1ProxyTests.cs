using System.Net;
using System.Net.Sockets;
using System.Text;
using Meshy.Testing;

namespace Meshy.Filters.Tests.HttpProxy;

/// <summary>HTTP/1.1 reverse proxying through a real listener on loopback, with real clients.</summary>
public sealed class Http1ProxyTests
{
    [Fact]
    public async Task HttpProxy_Get_ReturnsUpstreamResponse()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/hello?x=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("GET /hello?x=1 len=0", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HttpProxy_PostContentLength_BodyArrivesWhole()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using HttpClient client = proxy.CreateClient();
        byte[] payload = RandomBytes(300_000, seed: 1);

        HttpResponseMessage response = await client.PostAsync("/upload", new ByteArrayContent(payload));

        Assert.Equal("POST /upload len=300000", await response.Content.ReadAsStringAsync());
        FakeHttpRequest received = Assert.Single(upstream.Requests);
        Assert.Equal(payload, received.Body);
        Assert.Equal("300000", received.Head.Header("content-length"));
        Assert.Null(received.Head.Header("transfer-encoding"));
    }

    [Fact]
    public async Task HttpProxy_PostChunked_BodyArrivesChunkedAndWhole()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using HttpClient client = proxy.CreateClient();
        byte[] payload = RandomBytes(200_000, seed: 2);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/chunked") { Content = new ByteArrayContent(payload) };
        request.Headers.TransferEncodingChunked = true;

        HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal("POST /chunked len=200000", await response.Content.ReadAsStringAsync());
        FakeHttpRequest received = Assert.Single(upstream.Requests);
        Assert.Equal("chunked", received.Head.Header("transfer-encoding"));
        Assert.Equal(payload, received.Body);
    }

    [Fact]
    public async Task HttpProxy_ChunkedResponseWithTrailers_ReachesClientChunkedWithTrailers()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            await request.SendAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-checksum\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nx-checksum: abc\r\n\r\n", cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);

        await Loopback.SendAllAsync(client, "GET / HTTP/1.1\r\nHost: a\r\nTE: trailers\r\n\r\n"u8.ToArray());
        (HttpTestMessage head, byte[] body) = await connection.ReadResponseAsync();

        Assert.Equal("chunked", head.Header("transfer-encoding"));
        Assert.Null(head.Header("trailer"));                         // hop-by-hop, regenerated framing
        Assert.Equal("hello world", Encoding.ASCII.GetString(body));
        Assert.Contains(("x-checksum", "abc"), head.Trailers);
    }

    [Fact]
    public async Task HttpProxy_ChunkedRequestWithTrailers_ReachesUpstreamChunkedWithTrailers()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);

        await Loopback.SendAllAsync(client, ("POST /t HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTrailer: x-checksum, x-count\r\n\r\n" +
            "5\r\nhello\r\n6\r\n world\r\n0\r\nx-checksum: abc\r\nx-count: 2\r\n\r\n").Select(c => (byte)c).ToArray());
        (HttpTestMessage _, byte[] answer) = await connection.ReadResponseAsync();

        Assert.Equal("POST /t len=11", Encoding.ASCII.GetString(answer));
        FakeHttpRequest received = Assert.Single(upstream.Requests);
        Assert.Equal("chunked", received.Head.Header("transfer-encoding"));
        Assert.Null(received.Head.Header("trailer"));                // hop-by-hop, regenerated framing
        Assert.Equal("hello world", Encoding.ASCII.GetString(received.Body!));
        Assert.Equal([("x-checksum", "abc"), ("x-count", "2")], received.Head.Trailers);
    }

    [Fact]
    public async Task HttpProxy_ThousandKeepAliveRequests_ReuseOneUpstreamConnection()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using HttpClient client = proxy.CreateClient(maxConnections: 1);

        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal($"GET /r/{i} len=0", await client.GetStringAsync($"/r/{i}"));
        }

        Assert.Equal(1, upstream.Accepted);
        Assert.Equal(1, proxy.Listeners.Tracker.ActiveConnections);
    }

    [Fact]
    public async Task HttpProxy_TwoPipelinedRequestsInOneWrite_AnsweredInOrder()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);

        await Loopback.SendAllAsync(client, "GET /first HTTP/1.1\r\nHost: a\r\n\r\nPOST /second HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"u8.ToArray());

        (HttpTestMessage _, byte[] first) = await connection.ReadResponseAsync();
        (HttpTestMessage _, byte[] second) = await connection.ReadResponseAsync();
        Assert.Equal("GET /first len=0", Encoding.ASCII.GetString(first));
        Assert.Equal("POST /second len=3", Encoding.ASCII.GetString(second));
    }

    [Theory]
    [InlineData("HEAD", "/body", 200)]
    [InlineData("GET", "/status/204", 204)]
    [InlineData("GET", "/status/304", 304)]
    public async Task HttpProxy_BodylessResponses_CarryNoBodyAndConnectionGoesOn(string method, string path, int status)
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            if (request.Head.Method == "HEAD")
            {
                await request.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", cancellationToken);
            }
            else if (request.Head.Target.StartsWith("/status/", StringComparison.Ordinal))
            {
                await request.RespondAsync(int.Parse(request.Head.Target[8..]), [], cancellationToken);
            }
            else
            {
                await request.RespondAsync(200, "after"u8.ToArray(), cancellationToken);
            }
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);

        await Loopback.SendAllAsync(client, Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1\r\nHost: a\r\n\r\n"));
        HttpTestMessage head = await connection.ReadHeadAsync() ?? throw new EndOfStreamException();
        Assert.Equal(status, head.Status);
        if (method == "HEAD")
        {
            Assert.Equal("1234", head.Header("content-length"));
        }
        Assert.Null(head.Header("transfer-encoding"));

        // The next response starts right after the head: no body bytes were sent.
        await Loopback.SendAllAsync(client, "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        (HttpTestMessage next, byte[] body) = await connection.ReadResponseAsync();
        Assert.Equal(200, next.Status);
        Assert.Equal("after", Encoding.ASCII.GetString(body));
    }

    [Fact]
    public async Task HttpProxy_ForwardingHeaders_AddedAndHopByHopRemoved()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);

        await Loopback.SendAllAsync(client, ("GET /h HTTP/1.1\r\nHost: example.com:8080\r\nConnection: keep-alive, x-private\r\n" +
            "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\nX-Private: secret\r\n" +
            "X-Forwarded-For: 10.1.2.3\r\nX-Custom: kept\r\n\r\n").Select(c => (byte)c).ToArray());
        await connection.ReadResponseAsync();

        HttpTestMessage received = Assert.Single(upstream.Requests).Head;
        Assert.Equal("example.com:8080", received.Header("host"));
        Assert.Equal("10.1.2.3, 127.0.0.1", received.Header("x-forwarded-for"));
        Assert.Equal("http", received.Header("x-forwarded-proto"));
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", received.Header("x-request-id"));
        Assert.Equal("kept", received.Header("x-custom"));
        foreach (string hopByHop in new[] { "connection", "keep-alive", "proxy-connection", "te", "x-private", "transfer-encoding", "upgrade" })
        {
            Assert.Null(received.Header(hopByHop));
        }
    }

    [Fact]
    public async Task HttpProxy_RequestIdPresent_IsKept()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using HttpClient client = proxy.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("x-request-id", "given-id");

        await client.SendAsync(request);

        Assert.Equal(["given-id"], Assert.Single(upstream.Requests).Head.HeaderValues("x-request-id"));
    }

    internal static byte[] RandomBytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
