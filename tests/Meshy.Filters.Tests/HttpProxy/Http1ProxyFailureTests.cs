using System.Net;
using System.Net.Sockets;
using System.Text;
using Meshy.Testing;

namespace Meshy.Filters.Tests.HttpProxy;

/// <summary>Failures on either side become responses with Envoy's flags, or a closed connection; never a hang.</summary>
public sealed class Http1ProxyFailureTests
{
    [Fact]
    public async Task HttpProxy_UpstreamRefuses_503WithUF()
    {
        using Socket refusing = Loopback.BindRefusing();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple((IPEndPoint)refusing.LocalEndPoint!));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("connect error", await response.Content.ReadAsStringAsync());
        await AssertLoggedFlagsAsync(proxy, "UF");
    }

    [Fact]
    public async Task HttpProxy_SubsetWithoutEndpoints_503WithUH()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        string toml = HttpProxyConfigs.Simple(upstream.EndPoint, clusterExtra: """subsets = [{ name = "none", labels = { version = "none" } }]""")
            .Replace("""to = [{ cluster = "backend" }]""", """to = [{ cluster = "backend", subset = "none" }]""", StringComparison.Ordinal);
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(toml);
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(0, upstream.Accepted);
        await AssertLoggedFlagsAsync(proxy, "UH");
    }

    [Fact]
    public async Task HttpProxy_UpstreamClosesBeforeAnswering_503WithUC()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, _) =>
        {
            await request.ReadBodyAsync();
            return false;                                          // close without a response
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        await AssertLoggedFlagsAsync(proxy, "UC");
    }

    [Fact]
    public async Task HttpProxy_UpstreamResetsBeforeAnswering_503WithUR()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, _) =>
        {
            await request.ReadBodyAsync();
            request.Socket.LingerState = new LingerOption(true, 0);   // close = RST
            return false;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        await AssertLoggedFlagsAsync(proxy, "UR");
    }

    [Fact]
    public async Task HttpProxy_MalformedUpstreamResponse_502()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            await request.SendAsync("HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n", cancellationToken);
            return false;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Theory]
    [InlineData("""timeout = "500ms" """, "", 500)]          // the rule's timeout
    [InlineData("", """read_timeout = "1s" """, 1000)]       // the cluster's read_timeout, with no rule timeout
    public async Task HttpProxy_UpstreamNeverAnswers_504WithUTAfterTheTimeout(string ruleExtra, string clusterExtra, int timeoutMs)
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            if (request.Head.Target == "/warm")
            {
                return await FakeHttpUpstream.EchoAsync(request, cancellationToken);
            }
            // Wait for the proxy to give up: it closes (or resets) the connection.
            await Loopback.WaitForCloseAsync(request.Socket, TimeSpan.FromSeconds(30));
            released.TrySetResult();
            return false;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(
            HttpProxyConfigs.Simple(upstream.EndPoint, ruleExtra: ruleExtra, clusterExtra: clusterExtra));
        using HttpClient client = proxy.CreateClient();
        // A first answered request leaves a pooled connection and warm code behind, so the timed request
        // reaches the upstream well within its timeout even on a loaded machine (a cold first request
        // could time out before the upstream saw it, and then there is nothing for it to release).
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/warm")).StatusCode);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        HttpResponseMessage response = await client.GetAsync("/hang");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.True(clock.ElapsedMilliseconds >= timeoutMs * 0.9, $"answered after {clock.ElapsedMilliseconds} ms, before the timeout");
        await AssertLoggedFlagsAsync(proxy, "UT");
        await released.Task.WaitAsync(Loopback.DefaultTimeout);     // the upstream request was not left hanging
    }

    [Fact]
    public async Task HttpProxy_UpstreamDiesMidBody_ClientConnectionResetWithTruncatedBody()
    {
        const string sent = "only a few bytes";
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            await request.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + sent, cancellationToken);
            return false;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);

        await Loopback.SendAllAsync(client, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        HttpTestMessage head = await connection.ReadHeadAsync() ?? throw new EndOfStreamException();
        // The proxy has nothing left to wait for once the upstream closed: the end comes at once, well
        // within the bound (a proxy that kept the connection open would fail here, not hang).
        (byte[] body, bool reset) = await connection.ReadUntilClosedAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(200, head.Status);
        Assert.Equal("100000", head.Header("content-length"));
        Assert.Equal(sent, Encoding.ASCII.GetString(body));                 // what the upstream sent, and no more
        Assert.True(reset, "a response cut after its head ends with a reset, not an orderly close");
    }

    [Fact]
    public async Task HttpProxy_ClientLeavesWhileWaiting_UpstreamRequestCancelled()
    {
        var upstreamSawClose = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requestArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, _) =>
        {
            requestArrived.TrySetResult();
            await Loopback.WaitForCloseAsync(request.Socket, TimeSpan.FromSeconds(30));
            upstreamSawClose.TrySetResult();
            return false;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        await Loopback.SendAllAsync(client, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        await requestArrived.Task.WaitAsync(Loopback.DefaultTimeout);

        client.Dispose();

        await upstreamSawClose.Task.WaitAsync(Loopback.DefaultTimeout);
        await AssertLoggedFlagsAsync(proxy, "DC");
    }

    [Fact]
    public async Task HttpProxy_UnknownHost_404WithNR()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        string toml = HttpProxyConfigs.Simple(upstream.EndPoint).Replace("""hosts = ["*"]""", """hosts = ["api.example.com", "*.internal"]""", StringComparison.Ordinal);
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(toml);
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);

        await Loopback.SendAllAsync(client, "GET / HTTP/1.1\r\nHost: other.example.com\r\n\r\nGET / HTTP/1.1\r\nHost: API.example.com:80\r\n\r\nGET / HTTP/1.1\r\nHost: db.internal\r\n\r\nGET / HTTP/1.1\r\nHost: internal\r\n\r\n"u8.ToArray());

        Assert.Equal(404, (await connection.ReadResponseAsync()).Head.Status);
        Assert.Equal(200, (await connection.ReadResponseAsync()).Head.Status);
        Assert.Equal(200, (await connection.ReadResponseAsync()).Head.Status);
        Assert.Equal(404, (await connection.ReadResponseAsync()).Head.Status);
        await AssertLoggedFlagsAsync(proxy, "NR");
    }

    private static Task AssertLoggedFlagsAsync(HttpProxyHarness proxy, string flags) =>
        Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Any(line => line.Contains($"flags {flags} ", StringComparison.Ordinal)),
            $"a request is logged with flags {flags}");
}
