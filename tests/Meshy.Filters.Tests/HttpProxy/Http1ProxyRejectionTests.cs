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
        { "GET http://b/ HTTP/1.1\r\nHost: a\r\n\r\n", 400 },                                 // authority disagrees with Host
        { "GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505 },
        { "GET /" + new string('a', 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414 },
        { "GET / HTTP/1.1\r\nHost: a\r\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"X-{i}: v\r\n")) + "\r\n", 431 },
        { "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + new string('b', 3000) + "\r\n\r\n", 431 },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task HttpProxy_MalformedRequest_AnsweredWithStatusAndClosed(string request, int status)
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            listenerExtra: "max_header_count = 10\nmax_header_bytes = 2048"));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());

        await Loopback.SendAllAsync(client, Encoding.Latin1.GetBytes(request));
        byte[] answer = await Loopback.ReadToEndAsync(client);          // ends: the proxy closed

        string text = Encoding.Latin1.GetString(answer);
        Assert.StartsWith($"HTTP/1.1 {status} ", text);
        Assert.Contains("\r\nconnection: close\r\n", text);
        Assert.Equal(0, upstream.Accepted);

        // Another connection is served as usual.
        using HttpClient client2 = proxy.CreateClient();
        Assert.Equal("GET /ok len=0", await client2.GetStringAsync("/ok"));
    }

    [Fact]
    public async Task HttpProxy_HalfAHeadThenSilence_408AndClosed()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            listenerExtra: "request_header_timeout = \"300ms\""));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());

        await Loopback.SendAllAsync(client, "GET / HTTP/1.1\r\nHo"u8.ToArray());
        string text = Encoding.Latin1.GetString(await Loopback.ReadToEndAsync(client));

        Assert.StartsWith("HTTP/1.1 408 ", text);
        Assert.Contains("\r\nconnection: close\r\n", text);
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
}
