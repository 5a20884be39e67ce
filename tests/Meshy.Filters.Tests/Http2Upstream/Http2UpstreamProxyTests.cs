using System.Net;
using System.Security.Cryptography;
using Meshy.Filters.Tests.HttpProxy;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http2Upstream;

/// <summary>HTTP/1.1 clients through the proxy to a real HTTP/2 (h2c) Kestrel backend: <c>clusters[].protocol = "http2"</c>.</summary>
public sealed class Http2UpstreamProxyTests
{
    private static string Config(IPEndPoint backend, string clusterExtra = "", string ruleExtra = "") =>
        HttpProxyConfigs.Simple(backend, ruleExtra: ruleExtra, clusterExtra: "protocol = \"http2\"\n" + clusterExtra);

    [Fact]
    public async Task Http2Upstream_Get_ReachesBackendOverHttp2()
    {
        await using KestrelH2Backend backend = await KestrelH2Backend.StartAsync();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/hello?x=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Version(1, 1), response.Version);
        Assert.Equal("hello GET /hello?x=1", await response.Content.ReadAsStringAsync());
        Assert.Equal("HTTP/2", response.Headers.GetValues("x-backend-protocol").Single());
    }

    [Fact]
    public async Task Http2Upstream_Post16MiB_BodyArrivesWhole()
    {
        await using KestrelH2Backend backend = await KestrelH2Backend.StartAsync();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint));
        using HttpClient client = proxy.CreateClient();
        byte[] body = new byte[16 << 20];
        new Random(42).NextBytes(body);

        HttpResponseMessage response = await client.PostAsync("/hash", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{body.Length} {Convert.ToHexString(SHA256.HashData(body))}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Http2Upstream_ChunkedPostWithoutLength_BodyArrivesWhole()
    {
        await using KestrelH2Backend backend = await KestrelH2Backend.StartAsync();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint));
        using HttpClient client = proxy.CreateClient();
        byte[] body = new byte[300_000];
        new Random(7).NextBytes(body);
        var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentLength = null;       // sent chunked by HttpClient

        HttpResponseMessage response = await client.PostAsync("/hash", content);

        Assert.Equal($"{body.Length} {Convert.ToHexString(SHA256.HashData(body))}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Http2Upstream_BackendTrailers_ReachHttp11ClientAsChunkedTrailers()
    {
        await using KestrelH2Backend backend = await KestrelH2Backend.StartAsync();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/trailers");

        Assert.Equal("body with trailers", await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Equal("abc123", response.TrailingHeaders.GetValues("x-checksum").Single());
    }

    [Fact]
    public async Task Http2Upstream_200ConcurrentRequests_MultiplexedOverAtMostMaxConnections()
    {
        await using KestrelH2Backend backend = await KestrelH2Backend.StartAsync();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint,
            clusterExtra: "limits = { max_connections = 2, max_pending_requests = 1024, max_requests = 1024 }"));
        using HttpClient client = proxy.CreateClient(maxConnections: 200);

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => client.GetAsync("/slow")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(200, backend.Requests);
        Assert.InRange(backend.Connections, 1, 2);
    }

    [Fact]
    public async Task Http2Upstream_BackendRestarted_NextRequestsSucceedOnNewConnection()
    {
        KestrelH2Backend backend = await KestrelH2Backend.StartAsync();
        int port = backend.EndPoint.Port;
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint));
        using HttpClient client = proxy.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/hello")).StatusCode);

        await backend.DisposeAsync();
        await using KestrelH2Backend restarted = await KestrelH2Backend.StartAsync(port);

        for (int i = 0; i < 3; i++)
        {
            HttpResponseMessage response = await client.GetAsync("/hello");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(1, restarted.Connections);
    }

    [Fact]
    public async Task Http2Upstream_NotAnHttp2Server_503WithUF()
    {
        await using FakeHttpUpstream http1 = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(http1.EndPoint));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/x");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        await Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Any(l => l.Contains("/x -> 503 flags UF ", StringComparison.Ordinal)),
            "the request is logged with flags UF");
    }

    [Fact]
    public async Task Http2Upstream_ConnectionIdlePastTimeout_ClosedAndNextRequestOpensNew()
    {
        await using KestrelH2Backend backend = await KestrelH2Backend.StartAsync();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint, clusterExtra: "idle_timeout = \"200ms\""));
        using HttpClient client = proxy.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/hello")).StatusCode);

        await Loopback.WaitUntilAsync(() => proxy.Pools.GetBudget("backend").Connections == 0, "the idle HTTP/2 connection is closed");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/hello")).StatusCode);
        Assert.Equal(2, backend.Connections);
    }

    [Fact]
    public async Task Http2Upstream_ChunkedRequestTrailers_ReachBackendAsHttp2Trailers()
    {
        await using KestrelH2Backend backend = await KestrelH2Backend.StartAsync();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint));
        using System.Net.Sockets.Socket socket = await Loopback.ConnectAsync(proxy.EndPoint());

        await Loopback.SendAllAsync(socket, System.Text.Encoding.ASCII.GetBytes(
            "POST /request-trailers HTTP/1.1\r\nHost: h2\r\nTransfer-Encoding: chunked\r\nTE: trailers\r\nConnection: close\r\n\r\n" +
            "5\r\nhello\r\n0\r\nx-sum: 42\r\n\r\n"));
        string response = System.Text.Encoding.ASCII.GetString(await Loopback.ReadToEndAsync(socket));

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.Contains("\r\nhello x-sum=42\r\n0\r\n", response, StringComparison.Ordinal);     // one chunk, then the last
    }
}
