using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Meshy.Engine.Upstream;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Observability;

/// <summary>A request that fails before reaching an endpoint is still reported under the cluster its rule chose.</summary>
public sealed class DestinationAttributionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("meshy-obs-attribution-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Telemetry_RuleDestinationWithoutHealthyEndpoint_503UHReportedUnderItsClusterAndSubset()
    {
        await using FakeHttpUpstream backend = FakeHttpUpstream.Echo();
        using Socket refusing = Loopback.BindRefusing();
        await using FakeUpstream echo = FakeUpstream.Echo();
        string logPath = Path.Combine(_directory, "access.log");
        // Subset v1 selects no endpoint (an unhealthy one would still be used: panic mode routes when none is available).
        string toml = ObservabilityConfigs.Mixed(backend.EndPoint, (IPEndPoint)refusing.LocalEndPoint!, echo.EndPoint, ObservabilityConfigs.AccessLogTo(logPath))
            .Replace(""""subsets = [{ name = "v1", labels = { version = "v1" } }]"""", """"subsets = [{ name = "v1", labels = { version = "v0" } }]"""", StringComparison.Ordinal);
        await using ObservabilityHarness proxy = await ObservabilityHarness.StartAsync(toml);
        EndpointState state = proxy.Snapshot.Clusters["backend"].Endpoints[0].State;

        using (HttpClient client = proxy.CreateClient())
        using (HttpResponseMessage response = await client.GetAsync("/api/x"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        PrometheusText metrics = null!;
        await Loopback.WaitUntilAsync(() =>
        {
            metrics = proxy.ScrapeAsync().GetAwaiter().GetResult();
            return metrics.Where("istio_requests_total").Any();
        }, "the 503 is recorded");
        Assert.Equal(1, metrics.Single("istio_requests_total", ("destination_service", "backend"), ("destination_service_name", "backend"),
            ("destination_version", "v1"), ("response_code", "503"), ("response_flags", "UH")));
        Assert.Empty(metrics.Where("istio_requests_total", ("destination_service", "unknown")));
        Assert.Equal(0, state.TotalRequests);

        string[] lines = [];
        await Loopback.WaitUntilAsync(() =>
        {
            lines = File.Exists(logPath) ? File.ReadAllLines(logPath) : [];
            return lines.Length >= 1;
        }, "the access-log line is written");
        JsonElement line = JsonDocument.Parse(Assert.Single(lines)).RootElement;
        Assert.Equal("UH", line.GetProperty("response_flags").GetString());
        Assert.Equal("backend", line.GetProperty("cluster").GetString());
        Assert.Equal("v1", line.GetProperty("subset").GetString());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("endpoint").ValueKind);
    }
}
