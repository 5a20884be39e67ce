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

/// <summary>Admin <c>/clusters</c> over a real admin socket, in front of a proxy on loopback that carried traffic.</summary>
public sealed class AdminClustersTests
{
    [Fact]
    public async Task Clusters_AfterTrafficAndStateChanges_ReflectsHealthEjectionAndRequestCounts()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream backend = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            if (request.Head.Target == "/hold")
            {
                held.TrySetResult();
                await release.Task.WaitAsync(cancellationToken);
            }
            await request.RespondAsync(200, "ok"u8.ToArray(), cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint));
        await using AdminServer admin = StartAdmin(proxy);
        using var adminClient = new HttpClient { BaseAddress = new Uri($"http://{admin.EndPoint}") };
        using HttpClient client = proxy.CreateClient(maxConnections: 2);

        // 1. two requests done, a third held at the upstream
        Assert.Equal("ok", await client.GetStringAsync("/a"));
        Assert.Equal("ok", await client.GetStringAsync("/b"));
        Task<string> hold = client.GetStringAsync("/hold");
        await held.Task.WaitAsync(Loopback.DefaultTimeout);

        // 2. no feature marks endpoints down yet in-process: set the states a health check and outlier detection would
        ClusterSnapshot spare = proxy.Listeners.Holder.Current.Clusters["spare"];
        spare.Endpoints[0].State.Healthy = false;
        spare.Endpoints[1].State.EjectedUntilTicks = DateTime.UtcNow.AddMinutes(5).Ticks;

        JsonElement clusters = await GetClustersAsync(adminClient);
        JsonElement served = Endpoint(clusters, "backend", backend.EndPoint.ToString());
        Assert.Equal("v1", served.GetProperty("labels").GetProperty("version").GetString());
        Assert.Equal(3, served.GetProperty("weight").GetInt32());
        Assert.True(served.GetProperty("healthy").GetBoolean());
        Assert.False(served.GetProperty("ejected").GetBoolean());
        Assert.Equal(1, served.GetProperty("active_requests").GetInt64());
        Assert.Equal(3, served.GetProperty("total_requests").GetInt64());

        JsonElement unhealthy = Endpoint(clusters, "spare", "192.0.2.1:80");
        Assert.False(unhealthy.GetProperty("healthy").GetBoolean());
        Assert.False(unhealthy.GetProperty("ejected").GetBoolean());
        Assert.Equal(0, unhealthy.GetProperty("total_requests").GetInt64());
        JsonElement ejected = Endpoint(clusters, "spare", "192.0.2.2:80");
        Assert.True(ejected.GetProperty("healthy").GetBoolean());
        Assert.True(ejected.GetProperty("ejected").GetBoolean());

        // 3. the held request finishes: nothing in flight, the total stays; an ejection that ended shows as such
        release.SetResult();
        Assert.Equal("ok", await hold);
        spare.Endpoints[1].State.EjectedUntilTicks = DateTime.UtcNow.AddMinutes(-1).Ticks;
        await Loopback.WaitUntilAsync(() =>
        {
            JsonElement now = GetClustersAsync(adminClient).GetAwaiter().GetResult();
            return Endpoint(now, "backend", backend.EndPoint.ToString()).GetProperty("active_requests").GetInt64() == 0;
        }, "the held request is no longer active");
        clusters = await GetClustersAsync(adminClient);
        Assert.Equal(3, Endpoint(clusters, "backend", backend.EndPoint.ToString()).GetProperty("total_requests").GetInt64());
        Assert.False(Endpoint(clusters, "spare", "192.0.2.2:80").GetProperty("ejected").GetBoolean());
    }

    private static AdminServer StartAdmin(HttpProxyHarness proxy)
    {
        var endpoints = new EndpointRegistry();
        var reloader = new ConfigReloader(null, new SnapshotCompiler(endpoints, []), proxy.Listeners.Holder, proxy.Listeners.Manager,
            endpoints, NullLogger<ConfigReloader>.Instance);
        var state = new ProxyState();
        state.MarkReady();
        var admin = new AdminServer(AdminEndpoints.Create(proxy.Listeners.Holder, reloader, state), NullLogger<AdminServer>.Instance);
        admin.Start(new IPEndPoint(IPAddress.Loopback, 0));
        return admin;
    }

    private static async Task<JsonElement> GetClustersAsync(HttpClient admin)
    {
        using HttpResponseMessage response = await admin.GetAsync("/clusters");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("clusters").Clone();
    }

    private static JsonElement Endpoint(JsonElement clusters, string cluster, string address) =>
        clusters.EnumerateArray().Single(c => c.GetProperty("name").GetString() == cluster)
            .GetProperty("endpoints").EnumerateArray().Single(e => e.GetProperty("address").GetString() == address);

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
          match.path.prefix = "/"
          to = [{ cluster = "backend" }]

        [[clusters]]
        name = "backend"
        endpoints = [{ address = "{{backend}}", labels = { version = "v1" }, weight = 3 }]

        [[clusters]]
        name = "spare"
        endpoints = [{ address = "192.0.2.1:80" }, { address = "192.0.2.2:80" }]
        """;
}
