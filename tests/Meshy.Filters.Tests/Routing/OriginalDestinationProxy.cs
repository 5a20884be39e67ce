using System.Collections.Immutable;
using System.Net;
using Meshy.Conf.Compilation;
using Meshy.Conf.Loading;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.Pools;
using Meshy.Filters.HttpConnectionManager;
using Meshy.Filters.Observability;
using Meshy.Filters.Observability.Metrics;
using Meshy.Filters.TcpProxy;
using Meshy.Filters.Tests.Observability;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Routing;

/// <summary>
/// An HTTP proxy built as <c>meshy run</c> builds it (with telemetry on a private registry), whose listener
/// <c>web</c> sees every connection as redirected from <c>OriginalDestination</c> (see
/// <see cref="OriginalDestinationInjector"/>); listener <c>plain</c>, when the config has one, is left as is.
/// </summary>
internal sealed class OriginalDestinationProxy : IAsyncDisposable
{
    private readonly ListenerHarness _listeners;
    private readonly ObservabilityCompiler _compiler;

    private OriginalDestinationProxy(ListenerHarness listeners, Http1PoolRegistry pools, HttpConnectionManager.HttpConnectionManager manager, ObservabilityCompiler compiler, ObservabilityMetrics metrics, HttpLogCapture logs)
    {
        _listeners = listeners;
        _compiler = compiler;
        Pools = pools;
        Manager = manager;
        Metrics = metrics;
        Logs = logs;
    }

    public Http1PoolRegistry Pools { get; }

    /// <summary>The connection manager of listener <c>web</c> (its router holds the original-destination registry).</summary>
    public HttpConnectionManager.HttpConnectionManager Manager { get; }

    public ObservabilityMetrics Metrics { get; }

    public HttpLogCapture Logs { get; }

    public static async Task<OriginalDestinationProxy> StartAsync(string toml, IPEndPoint originalDestination)
    {
        ConfigLoadResult loaded = ConfigLoader.LoadText(toml, "test.toml");
        Assert.True(loaded.Success, string.Join('\n', loaded.Diagnostics));
        var logs = new HttpLogCapture();
        var pools = new Http1PoolRegistry();
        var connector = new UpstreamConnector(PipeOptionsFactory.Default);
        var tcpMetrics = new TcpProxyMetrics();
        var metrics = new ObservabilityMetrics(Prometheus.Metrics.NewCustomRegistry());
        var compiler = new ObservabilityCompiler(metrics, logs);
        var snapshots = new SnapshotCompiler(new EndpointRegistry(),
        [
            new TcpProxyFilterFactory(connector, tcpMetrics, logs),
            new HttpConnectionManagerFactory(connector, pools, tcpMetrics, [], logs),
        ], telemetry: compiler);
        ProxySnapshot compiled = snapshots.Compile(loaded.Config!, "test.toml");
        HttpConnectionManager.HttpConnectionManager? manager = null;
        ImmutableArray<ListenerSnapshot> listeners = [.. compiled.Listeners.Select(listener =>
        {
            if (listener.Name != "web")
            {
                return listener;
            }
            manager = (HttpConnectionManager.HttpConnectionManager)listener.NetworkFilters[^1];
            return new ListenerSnapshot
            {
                Name = listener.Name,
                EndPoint = listener.EndPoint,
                Protocol = listener.Protocol,
                NetworkFilters = [new OriginalDestinationInjector(originalDestination, manager)],
            };
        })];
        var snapshot = new ProxySnapshot
        {
            Source = compiled.Source,
            LoadedAt = compiled.LoadedAt,
            Runtime = compiled.Runtime,
            Listeners = listeners,
            Clusters = compiled.Clusters,
            RouteTableCount = compiled.RouteTableCount,
            ConfigJson = compiled.ConfigJson,
            Telemetry = compiled.Telemetry,
        };
        ListenerHarness harness = await ListenerHarness.StartAsync(snapshot);
        return new OriginalDestinationProxy(harness, pools, manager!, compiler, metrics, logs);
    }

    public HttpClient CreateClient(string listener = "web") =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 1, UseProxy = false, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://{_listeners.EndPoint(listener)}"),
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
        Pools.Dispose();
        _compiler.Dispose();
    }
}
