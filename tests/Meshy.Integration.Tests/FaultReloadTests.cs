using System.Net;
using System.Text.RegularExpressions;
using Meshy.Testing;

namespace Meshy.Integration.Tests;

/// <summary><c>fault</c> and <c>limits</c> in a running meshy: applied from the file, changed by a reload, exported.</summary>
public sealed class FaultReloadTests
{
    private static string Config(IPEndPoint upstream, double abortPercent) => Configs.Header() + $$"""
        [[listeners]]
        name = "web"
        address = "127.0.0.1:0"
        protocol = "http"
        routes = "web"

        [[routes]]
        name = "web"

          [[routes.rules]]
          name = "faulty"
          fault.abort = { percent = {{abortPercent.ToString(System.Globalization.CultureInfo.InvariantCulture)}}, status = 503 }
          to = [{ cluster = "backend" }]

        [[clusters]]
        name = "backend"
        endpoints = [{ address = "{{upstream}}" }]
        limits = { max_requests = 64 }

        """;

    [Fact]
    public async Task Reload_AbortPercentChanged_NewPercentAppliesToNextRequests()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        using var config = new TempConfig(Config(upstream.EndPoint, abortPercent: 100));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "web");
        using var admin = new AdminClient(await meshy.AdminEndPointAsync());
        using var client = new HttpClient { BaseAddress = new Uri($"http://{await meshy.ListenerEndPointAsync("web")}") };

        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/")).StatusCode);
        }
        Assert.Empty(upstream.Requests);
        await meshy.WaitForLineAsync(new Regex(@"GET \S+/ -> 503 flags FI route web/faulty cluster backend"));

        File.WriteAllText(config.Path, Config(upstream.EndPoint, abortPercent: 0.0));
        (HttpStatusCode status, _) = await admin.PostAsync("reload");
        Assert.Equal(HttpStatusCode.OK, status);

        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        }
        Assert.Equal(10, upstream.Requests.Count);
        Assert.DoesNotContain(meshy.Lines, line => line.Contains("is not applied by this build", StringComparison.Ordinal));
        // The cluster's breaker is exported from the start, every limit at 0.
        Assert.Equal(0, await admin.MetricAsync("meshy_circuit_breaker_overflows_total{cluster=\"backend\",limit=\"max_requests\"}"));
        Assert.Equal(0, await admin.MetricAsync("meshy_circuit_breaker_overflows_total{cluster=\"backend\",limit=\"max_pending_requests\"}"));
    }
}
