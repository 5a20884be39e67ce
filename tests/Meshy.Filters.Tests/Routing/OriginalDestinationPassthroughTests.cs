using System.Net;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.Pools;
using Meshy.Filters.Tests.Observability;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Routing;

/// <summary>
/// CONTRACT (listeners): on an <c>original_destination</c> listener the upstream is the socket's original
/// destination unless a route matches. HTTP requests no route takes go there through pooled HTTP/1.1
/// connections, reported as Istio's <c>PassthroughCluster</c>; without an original destination they stay 404 <c>NR</c>.
/// </summary>
public sealed class OriginalDestinationPassthroughTests
{
    private static string Config(IPEndPoint routed) => $$"""
        [[listeners]]
        name = "web"
        address = "127.0.0.1:0"
        protocol = "http"
        routes = "mesh"

        [[listeners]]
        name = "plain"
        address = "127.0.0.1:0"
        protocol = "http"
        routes = "mesh"

        [[routes]]
        name = "mesh"
        hosts = ["routed.example"]

          [[routes.rules]]
          name = "api"
          match.path.prefix = "/api/"
          to = [{ cluster = "routed" }]

        [[clusters]]
        name = "routed"
        endpoints = [{ address = "{{routed}}" }]
        """;

    [Fact]
    public async Task Router_UnroutedHostWithOriginalDestination_ForwardsToOriginalDestination()
    {
        await using FakeHttpUpstream routed = FakeHttpUpstream.Echo();
        await using FakeHttpUpstream original = FakeHttpUpstream.Echo();
        await using OriginalDestinationProxy proxy = await OriginalDestinationProxy.StartAsync(Config(routed.EndPoint), original.EndPoint);
        using HttpClient client = proxy.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/anything?x=1");
        request.Headers.Host = "unrouted.example:8080";

        HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("GET /anything?x=1 len=0", await response.Content.ReadAsStringAsync());
        FakeHttpRequest received = Assert.Single(original.Requests);
        Assert.Equal("unrouted.example:8080", received.Head.Header("host"));
        Assert.Empty(routed.Requests);
        await Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Any(l => l.Contains(
            $"/anything -> 200 flags - route allow_any/original_destination cluster PassthroughCluster endpoint {original.EndPoint}", StringComparison.Ordinal)),
            "the request is logged as passed through to the original destination");
    }

    [Fact]
    public async Task Router_RoutedHostRuleMissesWithOriginalDestination_ForwardsToOriginalDestination()
    {
        await using FakeHttpUpstream routed = FakeHttpUpstream.Echo();
        await using FakeHttpUpstream original = FakeHttpUpstream.Echo();
        await using OriginalDestinationProxy proxy = await OriginalDestinationProxy.StartAsync(Config(routed.EndPoint), original.EndPoint);
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage matched = await Send(client, "routed.example", "/api/users");
        HttpResponseMessage missed = await Send(client, "routed.example", "/other");

        Assert.Equal("GET /api/users len=0", await matched.Content.ReadAsStringAsync());
        Assert.Equal("GET /other len=0", await missed.Content.ReadAsStringAsync());
        Assert.Equal(["/api/users"], routed.Requests.Select(r => r.Head.Target));
        Assert.Equal(["/other"], original.Requests.Select(r => r.Head.Target));
    }

    [Fact]
    public async Task Router_RepeatedPassthroughToOneDestination_ReusesOnePooledConnection()
    {
        await using FakeHttpUpstream routed = FakeHttpUpstream.Echo();
        await using FakeHttpUpstream original = FakeHttpUpstream.Echo();
        await using OriginalDestinationProxy proxy = await OriginalDestinationProxy.StartAsync(Config(routed.EndPoint), original.EndPoint);

        // Two client connections (two redirected sockets to the same address) share the destination's pool.
        for (int i = 0; i < 3; i++)
        {
            using HttpClient client = proxy.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await Send(client, "unrouted.example", $"/{i}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await Send(client, "unrouted.example", $"/{i}/again")).StatusCode);
            // The client can read the answer before the proxy has put the upstream connection back in the pool.
            Http1ConnectionPool pool = proxy.Pools.GetPool(proxy.Manager.Router.OriginalDestinations.Get(original.EndPoint, out _).State);
            await Loopback.WaitUntilAsync(() => pool.IdleCount == 1, "the upstream connection is back in the pool");
        }

        Assert.Equal(6, original.Requests.Count);
        Assert.Equal(1, original.Accepted);
        Assert.Equal(1, proxy.Manager.Router.OriginalDestinations.Count);
        Assert.Equal(1, proxy.Pools.GetBudget(PassthroughCluster.Name).Connections);
    }

    [Fact]
    public async Task Router_UnroutedHostWithoutOriginalDestination_Answers404NR()
    {
        await using FakeHttpUpstream routed = FakeHttpUpstream.Echo();
        await using FakeHttpUpstream original = FakeHttpUpstream.Echo();
        await using OriginalDestinationProxy proxy = await OriginalDestinationProxy.StartAsync(Config(routed.EndPoint), original.EndPoint);
        using HttpClient client = proxy.CreateClient("plain");

        HttpResponseMessage response = await Send(client, "unrouted.example", "/nowhere");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(original.Requests);
        await Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Any(l => l.Contains("/nowhere -> 404 flags NR ", StringComparison.Ordinal)),
            "the plain listener answers 404 NR");
    }

    [Fact]
    public async Task Router_OriginalDestinationRefusesConnect_Answers503UFAsPassthroughCluster()
    {
        await using FakeHttpUpstream routed = FakeHttpUpstream.Echo();
        using System.Net.Sockets.Socket refusing = Loopback.BindRefusing();
        var closed = (IPEndPoint)refusing.LocalEndPoint!;
        await using OriginalDestinationProxy proxy = await OriginalDestinationProxy.StartAsync(Config(routed.EndPoint), closed);
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await Send(client, "unrouted.example", "/down");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        await Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Any(l => l.Contains(
            $"/down -> 503 flags UF route allow_any/original_destination cluster PassthroughCluster endpoint {closed}", StringComparison.Ordinal)),
            "the failed connect is reported against PassthroughCluster");
    }

    [Fact]
    public async Task Telemetry_PassthroughRequest_RecordsDestinationServicePassthroughCluster()
    {
        await using FakeHttpUpstream routed = FakeHttpUpstream.Echo();
        await using FakeHttpUpstream original = FakeHttpUpstream.Echo();
        await using OriginalDestinationProxy proxy = await OriginalDestinationProxy.StartAsync(Config(routed.EndPoint), original.EndPoint);
        using HttpClient client = proxy.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await Send(client, "unrouted.example", "/measured")).StatusCode);

        // Telemetry records when the exchange completes, just after the response went out.
        await Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Any(l => l.Contains("/measured -> 200", StringComparison.Ordinal)), "the exchange completed");
        PrometheusText metrics = await proxy.ScrapeAsync();
        Assert.Equal(1, metrics.Single("istio_requests_total", ("destination_service", PassthroughCluster.Name), ("response_code", "200")));
        Assert.Empty(metrics.Where("istio_requests_total", ("destination_service", "unknown")));
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, string host, string target)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.Host = host;
        return await client.SendAsync(request);
    }
}
