using System.Net.Sockets;
using System.Text;
using Meshy.Testing;

namespace Meshy.Filters.Tests.HttpProxy;

/// <summary>Malformed or oversized requests get their status with Connection: close, then the connection closes; others are unaffected.</summary>
public sealed class Http1ProxyRejectionTests
{
    public static TheoryData<string, int> Rejections() => new()
    {
        { "GET / HTTP/1.1\r\n\r\n", 400 },                                                    // missing Host
        { "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n folded\r\n\r\n", 400 },                      // obs-fold
        { "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400 },                                        // whitespace before colon
        { "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400 },                                   // bare CR
        { "GET / HTTP/1.1\r\nHost: a\r\nX(y: 1\r\n\r\n", 400 },                               // field name: '(' is not a tchar
        { "GET / HTTP/1.1\r\nHost: a\r\nX: a\u0001b\r\n\r\n", 400 },                         // field value: a CTL
        { "GET / HTTP/1.1\r\nHost: a\r\nX: a\u007Fb\r\n\r\n", 400 },                         // field value: DEL
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", 400 },                 // Content-Length not a number
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1a\r\n\r\n1", 400 },                 // nor a number with junk after it
        { "GET http://b/ HTTP/1.1\r\nHost: a\r\n\r\n", 400 },                                 // authority disagrees with Host
        { "GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505 },
        { "GET /" + new string('a', 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414 },
        { "GET / HTTP/1.1\r\nHost: a\r\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"X-{i}: v\r\n")) + "\r\n", 431 },
        { "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + new string('b', 3000) + "\r\n\r\n", 431 },
    };

    /// <summary>A valid head, then a chunked body whose framing is broken (RFC 9112 §7.1).</summary>
    public static TheoryData<string> MalformedChunkedBodies() => new()
    {
        "zz\r\nhello\r\n0\r\n\r\n",                // chunk size not hex
        "5\r\nhello\r\nzz\r\n0\r\n\r\n",        // the same after a good chunk: part of the body went upstream
        "5;a b\r\nhello\r\n0\r\n\r\n",             // chunk extension: junk after the name
        "5;a=\"open\r\nhello\r\n0\r\n\r\n",        // chunk extension: unterminated quoted string
        "5\r\nhello!!\r\n0\r\n\r\n",               // chunk data longer than its size
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task HttpProxy_MalformedRequest_AnsweredWithStatusAndClosed(string request, int status)
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            listenerExtra: "max_header_count = 10\nmax_header_bytes = 2048"));

        await AssertRejectedAsync(proxy, request, status);

        Assert.Equal(0, upstream.Accepted);
        await AssertServesNextConnectionAsync(proxy);
    }

    [Theory]
    [MemberData(nameof(MalformedChunkedBodies))]
    public async Task HttpProxy_MalformedChunkedBody_Answered400AndClosedAndUpstreamRequestAbandoned(string body)
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));

        string answer = await AssertRejectedAsync(proxy, "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body, 400);

        Assert.Equal("malformed request body\n", answer);
        // The head may have gone upstream before the body was found broken: that request must be cut
        // (its connection closed or reset), never completed or left open waiting for the rest.
        await Loopback.WaitUntilAsync(() => upstream.Active == 0, "the upstream connection that carried the request ended");
        Assert.All(upstream.Requests, request => Assert.Null(request.Body));
        await AssertLoggedFlagsAsync(proxy, 400, "DPE");
        await AssertServesNextConnectionAsync(proxy);
    }

    [Fact]
    public async Task HttpProxy_ListenerMaxRequestLine_LineAtTheLimitServedOneLongerGets414AndClosed()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            listenerExtra: "max_request_line = 256"));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);

        await Loopback.SendAllAsync(client, Encoding.ASCII.GetBytes($"GET {PathForLine(256)} HTTP/1.1\r\nHost: a\r\n\r\n"));
        (HttpTestMessage served, byte[] body) = await connection.ReadResponseAsync();
        Assert.Equal(200, served.Status);
        Assert.Equal($"GET {PathForLine(256)} len=0", Encoding.ASCII.GetString(body));

        await AssertRejectedAsync(connection, $"GET {PathForLine(257)} HTTP/1.1\r\nHost: a\r\n\r\n", 414);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task HttpProxy_HalfAHeadThenSilence_408AndClosed()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            listenerExtra: "request_header_timeout = \"300ms\""));

        await AssertRejectedAsync(proxy, "GET / HTTP/1.1\r\nHo", 408);
    }

    [Fact]
    public async Task HttpProxy_IdleConnection_ClosedAfterIdleTimeout()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            listenerExtra: "idle_timeout = \"300ms\""));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);
        await Loopback.SendAllAsync(client, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        Assert.Equal(200, (await connection.ReadResponseAsync()).Head.Status);

        Assert.True(await Loopback.WaitForCloseAsync(client));
    }

    /// <summary>Sends <paramref name="request"/> on a new connection; see the overload. Returns the answer's body.</summary>
    private static async Task<string> AssertRejectedAsync(HttpProxyHarness proxy, string request, int status)
    {
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        return await AssertRejectedAsync(new HttpTestConnection(client), request, status);
    }

    /// <summary>
    /// Sends <paramref name="request"/>; asserts the answer is <paramref name="status"/> with <c>Connection: close</c>
    /// and is the last thing sent before an orderly close (FIN). Returns the answer's body.
    /// </summary>
    private static async Task<string> AssertRejectedAsync(HttpTestConnection connection, string request, int status)
    {
        await Loopback.SendAllAsync(connection.Socket, Encoding.Latin1.GetBytes(request));
        (HttpTestMessage head, byte[] body) = await connection.ReadResponseAsync();
        Assert.Equal(status, head.Status);
        Assert.Equal("close", head.Header("connection"));

        (byte[] after, bool reset) = await connection.ReadUntilClosedAsync();
        Assert.Empty(after);
        Assert.False(reset, "the answer is followed by an orderly close, not a reset");
        return Encoding.Latin1.GetString(body);
    }

    /// <summary>Another connection is served as usual.</summary>
    private static async Task AssertServesNextConnectionAsync(HttpProxyHarness proxy)
    {
        using HttpClient client = proxy.CreateClient();
        Assert.Equal("GET /ok len=0", await client.GetStringAsync("/ok"));
    }

    /// <summary>A path that makes <c>GET path HTTP/1.1</c>, the line <c>max_request_line</c> counts (CRLF excluded), <paramref name="lineLength"/> bytes long.</summary>
    private static string PathForLine(int lineLength) => "/" + new string('a', lineLength - "GET / HTTP/1.1".Length);

    private static Task AssertLoggedFlagsAsync(HttpProxyHarness proxy, int status, string flags) =>
        Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Any(line => line.Contains($"-> {status} flags {flags} ", StringComparison.Ordinal)),
            $"a request is logged with status {status} and flags {flags}");
}
