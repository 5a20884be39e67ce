using System.Net;
using System.Text.Json;
using Meshy.Cli.Hosting;
using Meshy.Conf.Compilation;
using Meshy.Conf.Reload;
using Meshy.Engine.Admin;
using Meshy.Engine.Upstream;
using Meshy.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshy.Cli.Tests.Hosting;

/// <summary>Admin <c>/clusters</c>' <c>circuit_breaker</c> object, over a real admin socket in front of a proxy on loopback.</summary>
public sealed class AdminCircuitBreakerTests
{
    [Fact]
    public async Task Clusters_RequestHeldAndOneRefused_ShowsRequestsInFlightAndOverflowsByLimit()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream backend = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            held.TrySetResult();
            await release.Task.WaitAsync(cancellationToken);
            await request.RespondAsync(200, "ok"u8.ToArray(), cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint));
        await using AdminServer admin = StartAdmin(proxy);
        using var adminClient = new HttpClient { BaseAddress = new Uri($"http://{admin.EndPoint}") };
        using HttpClient client = proxy.CreateClient(maxConnections: 2);

        Task<string> hold = client.GetStringAsync("/hold");
        await held.Task.WaitAsync(Loopback.DefaultTimeout);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/refused")).StatusCode);

        JsonElement clusters = await GetClustersAsync(adminClient);
        JsonElement breaker = Breaker(clusters, "backend");
        Assert.Equal(1, breaker.GetProperty("requests_in_flight").GetInt32());
        Assert.Equal(0, breaker.GetProperty("retries_in_flight").GetInt32());
        JsonElement overflows = breaker.GetProperty("overflows");
        Assert.Equal(1, overflows.GetProperty("max_requests").GetInt64());
        Assert.Equal(0, overflows.GetProperty("max_connections").GetInt64());
        Assert.Equal(0, overflows.GetProperty("max_pending_requests").GetInt64());
        Assert.Equal(0, overflows.GetProperty("max_retries").GetInt64());
        // A cluster no rule sends to has had no request: zeros all the same.
        Assert.Equal(0, Breaker(clusters, "spare").GetProperty("overflows").GetProperty("max_requests").GetInt64());

        release.SetResult();
        Assert.Equal("ok", await hold);
        await Loopback.WaitUntilAsync(() =>
            Breaker(GetClustersAsync(adminClient).GetAwaiter().GetResult(), "backend").GetProperty("requests_in_flight").GetInt32() == 0,
            "the held request no longer counts");
    }

    private static AdminServer StartAdmin(HttpProxyHarness proxy)
    {
        var endpoints = new EndpointRegistry();
        var reloader = new ConfigReloader(null, new SnapshotCompiler(endpoints, []), proxy.Listeners.Holder, proxy.Listeners.Manager,
            endpoints, NullLogger<ConfigReloader>.Instance);
        var state = new ProxyState();
        state.MarkReady();
        var admin = new AdminServer(AdminEndpoints.Create(proxy.Listeners.Holder, reloader, state, breakers: proxy.Breakers), NullLogger<AdminServer>.Instance);
        admin.Start(new IPEndPoint(IPAddress.Loopback, 0));
        return admin;
    }

    private static async Task<JsonElement> GetClustersAsync(HttpClient admin)
    {
        using HttpResponseMessage response = await admin.GetAsync("/clusters");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("clusters").Clone();
    }

    private static JsonElement Breaker(JsonElement clusters, string cluster) =>
        clusters.EnumerateArray().Single(c => c.GetProperty("name").GetString() == cluster).GetProperty("circuit_breaker");

    private static string Config(IPEndPoint backend) => $$"""
        [[listeners]]
        name = "web"
        address = "127.0.0.1:0"
        protocol = "http"
        routes = "web"

        [[routes]]
        name = "web"
        hosts = ["*"]

          [[routes.rules]]
          name = "all"
          to = [{ cluster = "backend" }]

        [[clusters]]
        name = "backend"
        endpoints = [{ address = "{{backend}}" }]
        limits = { max_requests = 1 }

        [[clusters]]
        name = "spare"
        endpoints = [{ address = "192.0.2.1:80" }]
        """;
}
