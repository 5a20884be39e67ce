using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Meshy.Testing;

namespace Meshy.Integration.Tests;

/// <summary><c>meshy run</c>: outlier ejections and health-check probes on /metrics and /clusters.</summary>
public sealed class UpstreamHealthTests
{
    [Fact]
    public async Task Run_EjectionsAndProbes_CountedOnMetricsAndShownOnClusters()
    {
        await using FakeHttpUpstream failing = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            await request.RespondAsync(500, [], cancellationToken);
            return true;
        });
        await using FakeHttpUpstream good = FakeHttpUpstream.Echo();
        using Socket refusing = Loopback.BindRefusing();
        using var config = new TempConfig(Configs.Header() + $$"""
            [[listeners]]
            name = "web"
            address = "127.0.0.1:0"
            protocol = "http"
            routes = "web"

            [[routes]]
            name = "web"
              [[routes.rules]]
              match.path.prefix = "/flaky"
              to = [{ cluster = "flaky" }]
              [[routes.rules]]
              to = [{ cluster = "checked" }]

            [[clusters]]
            name = "flaky"
            endpoints = [{ address = "{{failing.EndPoint}}" }, { address = "{{good.EndPoint}}" }]
            outlier_detection = { consecutive_5xx = 2, interval = "1s", base_ejection_time = "1m", max_ejection_percent = 50 }

            [[clusters]]
            name = "checked"
            endpoints = [{ address = "{{good.EndPoint}}" }, { address = "{{refusing.LocalEndPoint}}" }]
            health_check = { path = "/status/204", interval = "300ms", timeout = "300ms", unhealthy_threshold = 1, healthy_threshold = 1 }
            """);
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "web");
        using var admin = new AdminClient(await meshy.AdminEndPointAsync());
        using var client = new HttpClient { BaseAddress = new Uri($"http://{await meshy.ListenerEndPointAsync("web")}") };

        for (int i = 0; i < 4; i++)
        {
            (await client.GetAsync("/flaky")).Dispose();
        }
        Assert.Equal(2, failing.Requests.Count);

        string metrics = "";
        await Loopback.WaitUntilAsync(() =>
        {
            metrics = admin.GetAsync("metrics").GetAwaiter().GetResult().Body;
            return Sum(metrics, "meshy_health_checks_total", "cluster=\"checked\"", "result=\"failure\"") >= 1
                && Sum(metrics, "meshy_health_checks_total", "cluster=\"checked\"", "result=\"success\"") >= 1;
        }, "probes are counted");
        Assert.Equal(1, Sum(metrics, "meshy_outlier_ejections_total", "cluster=\"flaky\""));
        Assert.DoesNotContain("meshy_outlier_ejections_total{cluster=\"checked\"", metrics, StringComparison.Ordinal);

        JsonElement clusters = JsonDocument.Parse((await admin.GetAsync("clusters")).Body).RootElement.GetProperty("clusters");
        JsonElement flaky = clusters.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "flaky");
        Assert.False(flaky.GetProperty("panic").GetBoolean());
        JsonElement ejected = flaky.GetProperty("endpoints")[0];
        Assert.True(ejected.GetProperty("ejected").GetBoolean());
        Assert.Equal(1, ejected.GetProperty("times_ejected").GetInt64());
        Assert.True(DateTime.Parse(ejected.GetProperty("ejected_until").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal) > DateTime.UtcNow);
        // A probe of the live endpoint may time out while the process warms up; the next pass brings it back.
        JsonElement checkedCluster = default;
        await Loopback.WaitUntilAsync(() =>
        {
            JsonElement all = JsonDocument.Parse(admin.GetAsync("clusters").GetAwaiter().GetResult().Body).RootElement.GetProperty("clusters");
            checkedCluster = all.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "checked");
            return checkedCluster.GetProperty("endpoints")[0].GetProperty("healthy").GetBoolean();
        }, "the live endpoint is healthy");
        Assert.False(checkedCluster.GetProperty("endpoints")[1].GetProperty("healthy").GetBoolean());
        Assert.Equal(0, checkedCluster.GetProperty("endpoints")[1].GetProperty("consecutive_failures").GetInt32());
    }

    private static double Sum(string exposition, string name, params string[] labels) =>
        exposition.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal))
            .Where(line => labels.All(line.Contains))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}
