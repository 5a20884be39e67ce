using System.Net;
using Meshy.Conf.Compilation;
using Meshy.Conf.Loading;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.CircuitBreaking;
using Meshy.Engine.Upstream.Pools;
using Meshy.Filters.Fault;
using Meshy.Filters.HttpConnectionManager;
using Meshy.Filters.Observability;
using Meshy.Filters.Observability.Metrics;
using Meshy.Filters.Observability.Tracing;
using Meshy.Filters.TcpProxy;
using Meshy.Testing;
using Prometheus;

namespace Meshy.Filters.Tests.Observability;

/// <summary>A proxy built as <c>meshy run</c> builds it, with tracing and telemetry, recording on a private registry.</summary>
internal sealed class ObservabilityHarness : IAsyncDisposable
{
    private readonly ListenerHarness _listeners;
    private readonly Http1PoolRegistry _pools;

    private ObservabilityHarness(ListenerHarness listeners, Http1PoolRegistry pools, ObservabilityCompiler compiler, ObservabilityMetrics metrics, ProxySnapshot snapshot)
    {
        _listeners = listeners;
        _pools = pools;
        Compiler = compiler;
        Metrics = metrics;
        Snapshot = snapshot;
    }

    public ObservabilityCompiler Compiler { get; }

    public ObservabilityMetrics Metrics { get; }

    public ProxySnapshot Snapshot { get; }

    public static async Task<ObservabilityHarness> StartAsync(string toml, int accessLogCapacity = 8192)
    {
        ConfigLoadResult loaded = ConfigLoader.LoadText(toml, "test.toml");
        if (!loaded.Success)
        {
            throw new InvalidOperationException("bad test config:\n" + string.Join('\n', loaded.Diagnostics));
        }
        var logs = new HttpLogCapture();
        var pools = new Http1PoolRegistry();
        var connector = new UpstreamConnector(PipeOptionsFactory.Default);
        var tcpMetrics = new TcpProxyMetrics();
        var metrics = new ObservabilityMetrics(Prometheus.Metrics.NewCustomRegistry());
        // One registry for the limits and their counters, as in meshy run.
        var breakers = new CircuitBreakerRegistry();
        var compiler = new ObservabilityCompiler(metrics, logs, accessLogCapacity: accessLogCapacity, breakers: breakers);
        var snapshots = new SnapshotCompiler(new EndpointRegistry(),
        [
            new TcpProxyFilterFactory(connector, tcpMetrics, logs, pools, breakers),
            new HttpConnectionManagerFactory(connector, pools, tcpMetrics, [new TraceContextFilterFactory(), new FaultFilterFactory(logs)], logs, breakers: breakers),
        ], telemetry: compiler);
        ProxySnapshot snapshot = snapshots.Compile(loaded.Config!, "test.toml");
        ListenerHarness listeners = await ListenerHarness.StartAsync(snapshot);
        return new ObservabilityHarness(listeners, pools, compiler, metrics, snapshot);
    }

    public IPEndPoint EndPoint(string name) => _listeners.EndPoint(name);

    public HttpClient CreateClient(string name = "web") =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 1, UseProxy = false, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://{EndPoint(name)}"),
            Timeout = TimeSpan.FromSeconds(30),
        };

    public async Task<PrometheusText> ScrapeAsync()
    {
        using var stream = new MemoryStream();
        await Metrics.Registry.CollectAndExportAsTextAsync(stream);
        return PrometheusText.Parse(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    public async ValueTask DisposeAsync()
    {
        await _listeners.DisposeAsync();
        _pools.Dispose();
        Compiler.Dispose();
    }
}
