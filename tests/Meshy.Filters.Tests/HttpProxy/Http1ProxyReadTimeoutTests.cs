using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Meshy.Testing;

namespace Meshy.Filters.Tests.HttpProxy;

/// <summary>
/// A cluster's <c>read_timeout</c> over HTTP/1.1 upstreams: an upstream silent too long once the request is out
/// gets the request a 504 <c>UT</c> (before its head; the plain case is with the route timeout's in
/// <see cref="Http1ProxyFailureTests"/>) or the client connection reset (after it); an upstream that keeps sending,
/// a client slow to send its body, and a silence shorter than the timeout are left alone.
/// </summary>
public sealed class Http1ProxyReadTimeoutTests
{
    // Long enough for the answers these tests need quickly (a warm-up, a response head) on a busy test host.
    private const string ShortReadTimeout = """read_timeout = "1s" """;

    // For the cases that must not time out: silences well under it, so that a busy test host (a starved thread
    // pool delays timers and sends by hundreds of milliseconds) cannot stretch one past it.
    private const string ReadTimeout = """read_timeout = "2s" """;

    [Fact]
    public async Task HttpProxy_UpstreamSilentAfterASlowUpload_504WithUT()
    {
        // The wait for the head begins while the body is still coming: it is timed from the body's end on.
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            await Loopback.WaitForCloseAsync(request.Socket, TimeSpan.FromSeconds(30));
            return false;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint, clusterExtra: ShortReadTimeout));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);

        await Loopback.SendAllAsync(client, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n"u8.ToArray());
        for (int i = 0; i < 3; i++)
        {
            await Task.Delay(300);
            await Loopback.SendAllAsync(client, Encoding.ASCII.GetBytes(i.ToString()));
        }
        var sinceBodyEnd = Stopwatch.StartNew();
        (HttpTestMessage head, _) = await connection.ReadResponseAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(504, head.Status);
        Assert.True(sinceBodyEnd.Elapsed >= TimeSpan.FromMilliseconds(900), $"answered {sinceBodyEnd.ElapsedMilliseconds} ms after the body's end, before the read timeout");
        await AssertLoggedAsync(proxy, "/upload -> 504 flags UT ");
    }

    [Fact]
    public async Task HttpProxy_UpstreamSilentMidBody_ClientConnectionResetWithThePartSent()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            await request.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nfirst part", cancellationToken);
            await Loopback.WaitForCloseAsync(request.Socket, TimeSpan.FromSeconds(30));
            return false;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint, clusterExtra: ShortReadTimeout));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);

        await Loopback.SendAllAsync(client, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        HttpTestMessage head = await connection.ReadHeadAsync() ?? throw new EndOfStreamException();
        (byte[] body, bool reset) = await connection.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(200, head.Status);
        Assert.Equal("first part", Encoding.ASCII.GetString(body));
        Assert.True(reset, "a response cut after its head ends with a reset, so it never looks complete");
    }

    [Fact]
    public async Task HttpProxy_UpstreamSendsSlowlyButSteadily_WholeResponseArrives()
    {
        // Eight parts 400 ms apart: 3.2 s in all, longer than the 2 s timeout, each silence well under it.
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            await request.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n", cancellationToken);
            for (int i = 0; i < 8; i++)
            {
                await Task.Delay(400, cancellationToken);
                await request.SendAsync(i.ToString(), cancellationToken);
            }
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint, clusterExtra: ReadTimeout));
        using HttpClient client = proxy.CreateClient();

        var clock = Stopwatch.StartNew();
        string body = await client.GetStringAsync("/slow");

        Assert.Equal("01234567", body);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3), $"done after {clock.ElapsedMilliseconds} ms: the test did not pace the body");
    }

    [Fact]
    public async Task HttpProxy_ClientSendsItsBodySlowly_UpstreamWaitingForItIsNotTimedOut()
    {
        // The upstream answers only once the whole body is in: the wait for its head spans the slow upload, which
        // is the client's doing, so the read timeout starts only once the request is out.
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint, clusterExtra: ReadTimeout));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);

        await Loopback.SendAllAsync(client, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\n\r\n"u8.ToArray());
        for (int i = 0; i < 8; i++)
        {
            await Task.Delay(400);                                   // 3.2 s in all, longer than the timeout
            await Loopback.SendAllAsync(client, Encoding.ASCII.GetBytes(i.ToString()));
        }
        (HttpTestMessage head, byte[] body) = await connection.ReadResponseAsync();

        Assert.Equal(200, head.Status);
        Assert.Equal("POST /upload len=8", Encoding.ASCII.GetString(body));
    }

    private static Task AssertLoggedAsync(HttpProxyHarness proxy, string text) =>
        Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Any(line => line.Contains(text, StringComparison.Ordinal)), $"a request is logged as '{text}'");
}
