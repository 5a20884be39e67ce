using System.Globalization;
using System.Net;
using System.Text.Json;
using Meshy.Testing;

namespace Meshy.Integration.Tests;

/// <summary><c>meshy run</c>: Istio metrics on /metrics, /stats, and the access log across a reload.</summary>
public sealed class ObservabilityTests
{
    private static string Config(IPEndPoint upstream, string logPath) => Configs.Header() + $$"""
        [access_log]
        path = "{{logPath}}"

        """ + Configs.HttpListener("web", "web") + Configs.RoutesAllTo("web", "backend") + Configs.Cluster("backend", upstream);

    [Fact]
    public async Task Run_Traffic_MetricsStatsAndAccessLogReflectIt()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        using var config = new TempConfig("");
        string firstLog = Path.Combine(config.Directory, "first.log");
        string secondLog = Path.Combine(config.Directory, "second.log");
        config.Rewrite(Config(upstream.EndPoint, firstLog));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "web");
        using var admin = new AdminClient(await meshy.AdminEndPointAsync());
        using var client = new HttpClient { BaseAddress = new Uri($"http://{await meshy.ListenerEndPointAsync("web")}") };

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/a")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/b")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/status/503")).StatusCode);

        string metrics = await MetricsOnceAsync(admin, "istio_requests_total", 3);
        Assert.Equal(2, Sum(metrics, "istio_requests_total", "response_code=\"200\"", "destination_service=\"backend\"", "reporter=\"destination\""));
        Assert.Equal(1, Sum(metrics, "istio_requests_total", "response_code=\"503\"", "response_flags=\"-\""));
        Assert.Equal(3, Sum(metrics, "istio_request_duration_milliseconds_count"));
        Assert.Contains("istio_request_duration_milliseconds_bucket{", metrics);
        Assert.Equal(1, Sum(metrics, "meshy_active_connections", "listener=\"web\""));
        Assert.Equal(0, Sum(metrics, "meshy_active_requests", "cluster=\"backend\""));

        (HttpStatusCode status, string stats) = await admin.GetAsync("stats");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Matches(@"(?m)^web\s+127\.0\.0\.1:\d+\s+http\s+1\s+1\s+0$", stats);
        Assert.Matches($@"(?m)^backend\s+{upstream.EndPoint.ToString().Replace(".", @"\.")}\s+-\s+yes\s+no\s+0\s+0\s+3\s+1$", stats);
        Assert.Contains("/stats", (await admin.GetAsync("")).Body);

        await Loopback.WaitUntilAsync(() => File.Exists(firstLog) && File.ReadAllLines(firstLog).Length == 3, "3 access-log lines");
        JsonElement first = JsonDocument.Parse(File.ReadAllLines(firstLog)[0]).RootElement;
        Assert.Equal("/a", first.GetProperty("path").GetString());
        Assert.Equal("all", first.GetProperty("rule").GetString());

        // A reload that moves the access log: the next request goes to the new file only.
        config.Rewrite(Config(upstream.EndPoint, secondLog));
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("reload")).Status);
        using var fresh = new HttpClient { BaseAddress = client.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/after")).StatusCode);
        await Loopback.WaitUntilAsync(() => File.Exists(secondLog) && File.ReadAllLines(secondLog).Length == 1, "the line goes to the new file");
        Assert.Equal("/after", JsonDocument.Parse(File.ReadAllLines(secondLog)[0]).RootElement.GetProperty("path").GetString());
        Assert.Equal(3, File.ReadAllLines(firstLog).Length);
    }

    [Fact]
    public async Task Run_SlowUpstream_DurationsCoverTheWait()
    {
        // The engine reads the time once per turn: a duration must still span the upstream's wait, on every
        // request of a connection (a turn time that stopped moving would make the second one zero).
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
            return await FakeHttpUpstream.EchoAsync(request, cancellationToken);
        });
        using var config = new TempConfig("");
        string log = Path.Combine(config.Directory, "access.log");
        config.Rewrite(Config(upstream.EndPoint, log));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "web");
        using var admin = new AdminClient(await meshy.AdminEndPointAsync());
        using var client = new HttpClient { BaseAddress = new Uri($"http://{await meshy.ListenerEndPointAsync("web")}") };

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/first")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/second")).StatusCode);

        string metrics = await MetricsOnceAsync(admin, "istio_request_duration_milliseconds_count", 2);
        Assert.InRange(Sum(metrics, "istio_request_duration_milliseconds_sum"), 600, 60_000);
        await Loopback.WaitUntilAsync(() => File.Exists(log) && File.ReadAllLines(log).Length == 2, "2 access-log lines");
        foreach (string line in File.ReadAllLines(log))
        {
            double duration = JsonDocument.Parse(line).RootElement.GetProperty("duration").GetDouble();
            Assert.True(duration >= 300, $"a 300 ms wait logged as {duration} ms: {line}");
        }
    }

    /// <summary>The admin's /metrics once the samples of <paramref name="series"/> add up to <paramref name="count"/> (recording follows the response).</summary>
    private static async Task<string> MetricsOnceAsync(AdminClient admin, string series, double count)
    {
        string metrics = "";
        await Loopback.WaitUntilAsync(() =>
        {
            metrics = admin.GetAsync("metrics").GetAwaiter().GetResult().Body;
            return Sum(metrics, series) == count;
        }, $"{count} requests are recorded in {series}");
        return metrics;
    }

    /// <summary>The sum of the samples of <paramref name="name"/> whose label set contains every one of <paramref name="labels"/>.</summary>
    private static double Sum(string exposition, string name, params string[] labels) =>
        exposition.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
            .Where(line => labels.All(line.Contains))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}
