using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Meshy.Engine.Upstream.CircuitBreaking;
using Meshy.Filters.Observability;
using Meshy.Filters.Observability.Metrics;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Observability;

/// <summary>The telemetry of resilience features: circuit-breaker overflows and the gRPC status of local replies.</summary>
public sealed class ResilienceTelemetryTests
{
    [Fact]
    public async Task OverflowCounters_Scraped_OneSeriesPerClusterAndLimitWithTheBreakersCounts()
    {
        var metrics = new ObservabilityMetrics(Prometheus.Metrics.NewCustomRegistry());
        var breakers = new CircuitBreakerRegistry();
        using var compiler = new ObservabilityCompiler(metrics, new HttpLogCapture(), breakers: breakers);
        ClusterCircuitBreaker backend = breakers.Get("backend");
        Assert.True(backend.TryEnterRequest(1));
        Assert.False(backend.TryEnterRequest(1));
        Assert.False(backend.TryEnterRequest(1));
        backend.CountOverflow(CircuitBreakerLimit.MaxPendingRequests);
        Assert.False(breakers.Get("other").TryEnterRetry(0));

        PrometheusText first = await ScrapeAsync(metrics);
        backend.CountOverflow(CircuitBreakerLimit.MaxConnections);
        PrometheusText second = await ScrapeAsync(metrics);

        const string Name = "meshy_circuit_breaker_overflows_total";
        Assert.Equal(2, first.Single(Name, ("cluster", "backend"), ("limit", "max_requests")));
        Assert.Equal(1, first.Single(Name, ("cluster", "backend"), ("limit", "max_pending_requests")));
        Assert.Equal(0, first.Single(Name, ("cluster", "backend"), ("limit", "max_connections")));
        Assert.Equal(0, first.Single(Name, ("cluster", "backend"), ("limit", "max_retries")));
        Assert.Equal(1, first.Single(Name, ("cluster", "other"), ("limit", "max_retries")));
        Assert.Equal(8, first.Where(Name).Count());
        Assert.Equal(1, second.Single(Name, ("cluster", "backend"), ("limit", "max_connections")));
        Assert.Equal(2, second.Single(Name, ("cluster", "backend"), ("limit", "max_requests")));
    }

    [Fact]
    public async Task GrpcRequestWithNoRoute_RecordedWith200GrpcStatus12AndNR()
    {
        await using FakeHttpUpstream backend = FakeHttpUpstream.Echo();
        using Socket refusing = Loopback.BindRefusing();
        await using FakeUpstream echo = FakeUpstream.Echo();
        await using ObservabilityHarness proxy = await ObservabilityHarness.StartAsync(
            ObservabilityConfigs.Mixed(backend.EndPoint, (IPEndPoint)refusing.LocalEndPoint!, echo.EndPoint, accessLog: ""));
        using HttpClient client = proxy.CreateClient();
        var content = new ByteArrayContent([0, 0, 0, 0, 0]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");

        using HttpResponseMessage response = await client.PostAsync("/missing", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        PrometheusText metrics = null!;
        await Loopback.WaitUntilAsync(() =>
        {
            metrics = ScrapeAsync(proxy.Metrics).GetAwaiter().GetResult();
            return metrics.Where("istio_requests_total").Sum(s => s.Value) == 1;
        }, "the request is recorded");
        Assert.Equal(1, metrics.Single("istio_requests_total", ("destination_service", "unknown"),
            ("response_code", "200"), ("grpc_response_status", "12"), ("response_flags", "NR")));
    }

    private static async Task<PrometheusText> ScrapeAsync(ObservabilityMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        return PrometheusText.Parse(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
