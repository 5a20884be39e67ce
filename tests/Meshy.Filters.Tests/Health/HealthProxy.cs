using System.Net;
using Meshy.Conf.Compilation;
using Meshy.Conf.Loading;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.Health;
using Meshy.Engine.Upstream.Pools;
using Meshy.Filters.HttpConnectionManager;
using Meshy.Filters.TcpProxy;
using Meshy.Testing;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Tests.Health;

/// <summary>
/// A proxy on loopback built as <c>meshy run</c> builds it, with the upstream-health parts wired: one
/// <see cref="ClusterHealthRegistry"/> for the compiler, the <see cref="HealthMonitor"/> following the
/// published snapshot, and reloads through the same compiler (so endpoint state survives them).
/// </summary>
internal sealed class HealthProxy : IAsyncDisposable
{
    private readonly SnapshotCompiler _compiler;
    private readonly Http1PoolRegistry _pools;

    private HealthProxy(SnapshotCompiler compiler, Http1PoolRegistry pools, ListenerHarness listeners, HealthMonitor monitor, HttpLogCapture logs)
    {
        _compiler = compiler;
        _pools = pools;
        Listeners = listeners;
        Monitor = monitor;
        Logs = logs;
    }

    public ListenerHarness Listeners { get; }

    public HealthMonitor Monitor { get; }

    public HttpLogCapture Logs { get; }

    public ProxySnapshot Snapshot => Listeners.Holder.Current;

    public static async Task<HealthProxy> StartAsync(string toml)
    {
        var logs = new HttpLogCapture();
        var pools = new Http1PoolRegistry();
        var connector = new UpstreamConnector(PipeOptionsFactory.Default);
        var metrics = new TcpProxyMetrics();
        var health = new ClusterHealthRegistry(logs);
        var compiler = new SnapshotCompiler(new EndpointRegistry(),
        [
            new TcpProxyFilterFactory(connector, metrics, logs),
            new HttpConnectionManagerFactory(connector, pools, metrics, [], logs),
        ], health: health);
        ListenerHarness listeners = await ListenerHarness.StartAsync(Compile(compiler, toml));
        var monitor = new HealthMonitor(listeners.Holder, health, logs.CreateLogger<HealthMonitor>());
        await monitor.StartAsync(CancellationToken.None);
        return new HealthProxy(compiler, pools, listeners, monitor, logs);
    }

    public Task ReloadAsync(string toml) => Listeners.ReloadAsync(Compile(_compiler, toml));

    public EndpointState State(string cluster, EndPoint endpoint) =>
        Snapshot.Clusters[cluster].Endpoints.Single(e => e.Address == endpoint.ToString()).State;

    public HttpClient CreateClient(string listener = "web") =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 1, UseProxy = false })
        {
            BaseAddress = new Uri($"http://{Listeners.EndPoint(listener)}"),
            Timeout = TimeSpan.FromSeconds(30),
        };

    private static ProxySnapshot Compile(SnapshotCompiler compiler, string toml)
    {
        ConfigLoadResult loaded = ConfigLoader.LoadText(toml, "test.toml");
        if (!loaded.Success)
        {
            throw new InvalidOperationException("bad test config:\n" + string.Join('\n', loaded.Diagnostics));
        }
        return compiler.Compile(loaded.Config!, "test.toml");
    }

    public async ValueTask DisposeAsync()
    {
        await Monitor.DisposeAsync();
        await Listeners.DisposeAsync();
        _pools.Dispose();
    }
}
