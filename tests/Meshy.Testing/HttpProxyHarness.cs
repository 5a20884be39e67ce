using System.Net;
using Meshy.Conf.Compilation;
using Meshy.Conf.Loading;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.CircuitBreaking;
using Meshy.Engine.Upstream.Pools;
using Meshy.Filters.HttpConnectionManager;
using Meshy.Filters.TcpProxy;
using Microsoft.Extensions.Logging;

namespace Meshy.Testing;

/// <summary>
/// An HTTP proxy on loopback built the way <c>meshy run</c> builds it: TOML text → ConfigLoader →
/// SnapshotCompiler with the real filter factories → ListenerManager. Logs are captured for assertions
/// on response flags. Disposing cuts every connection and closes pooled upstream connections.
/// </summary>
public sealed class HttpProxyHarness : IAsyncDisposable
{
    private readonly SnapshotCompiler _compiler;

    private HttpProxyHarness(ListenerHarness listeners, Http1PoolRegistry pools, HttpLogCapture logs, CircuitBreakerRegistry breakers, SnapshotCompiler compiler)
    {
        _compiler = compiler;
        Listeners = listeners;
        Pools = pools;
        Logs = logs;
        Breakers = breakers;
    }

    /// <summary>The running listeners.</summary>
    public ListenerHarness Listeners { get; }

    /// <summary>The upstream pools.</summary>
    public Http1PoolRegistry Pools { get; }

    /// <summary>Everything the proxy logged.</summary>
    public HttpLogCapture Logs { get; }

    /// <summary>The clusters' circuit breakers.</summary>
    public CircuitBreakerRegistry Breakers { get; }

    /// <summary>
    /// Compiles <paramref name="toml"/> and binds its listeners. <paramref name="httpFilters"/>: the rule filters
    /// to build (none by default); they get the harness's log capture when created by <paramref name="httpFilters"/>.
    /// </summary>
    public static async Task<HttpProxyHarness> StartAsync(string toml, Func<ILoggerFactory, IEnumerable<IHttpFilterFactory>>? httpFilters = null)
    {
        ConfigLoadResult loaded = ConfigLoader.LoadText(toml, "test.toml");
        if (!loaded.Success)
        {
            throw new InvalidOperationException("bad test config:\n" + string.Join('\n', loaded.Diagnostics));
        }
        var logs = new HttpLogCapture();
        var pools = new Http1PoolRegistry();
        var connector = new UpstreamConnector(PipeOptionsFactory.Default);
        var metrics = new TcpProxyMetrics();
        var breakers = new CircuitBreakerRegistry();
        var compiler = new SnapshotCompiler(new EndpointRegistry(),
        [
            new TcpProxyFilterFactory(connector, metrics, logs, pools, breakers),
            new HttpConnectionManagerFactory(connector, pools, metrics, httpFilters?.Invoke(logs) ?? [], logs, breakers: breakers),
        ]);
        ProxySnapshot snapshot = compiler.Compile(loaded.Config!, "test.toml");
        ListenerHarness listeners = await ListenerHarness.StartAsync(snapshot);
        return new HttpProxyHarness(listeners, pools, logs, breakers, compiler);
    }

    /// <summary>Compiles <paramref name="toml"/> with the same factories and registries and publishes it, as a reload does.</summary>
    public async Task ReloadAsync(string toml)
    {
        ConfigLoadResult loaded = ConfigLoader.LoadText(toml, "test.toml");
        if (!loaded.Success)
        {
            throw new InvalidOperationException("bad test config:\n" + string.Join('\n', loaded.Diagnostics));
        }
        await Listeners.ReloadAsync(_compiler.Compile(loaded.Config!, "test.toml"));
    }

    /// <summary>
    /// Runs <paramref name="exchange"/>; when it throws, the failure carries what the proxy logged, so a
    /// connection cut without an answer says why (the proxy's side is otherwise invisible to the client).
    /// </summary>
    public async Task ExplainFailureAsync(Func<Task> exchange)
    {
        try
        {
            await exchange();
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"{ex.GetType().Name}: {ex.Message}\nproxy log:\n{string.Join('\n', Logs.Lines)}", ex);
        }
    }

    /// <summary>The bound address of listener <paramref name="name"/>.</summary>
    public IPEndPoint EndPoint(string name = "web") => Listeners.EndPoint(name);

    /// <summary>A base URI for HttpClient: <c>http://127.0.0.1:PORT</c>.</summary>
    public Uri BaseUri(string name = "web") => new($"http://{EndPoint(name)}");

    /// <summary>An HttpClient through the proxy; one connection at most unless said otherwise.</summary>
    public HttpClient CreateClient(int maxConnections = 1, string name = "web") =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = maxConnections, UseProxy = false, AllowAutoRedirect = false })
        {
            BaseAddress = BaseUri(name),
            Timeout = TimeSpan.FromSeconds(30),
        };

    public async ValueTask DisposeAsync()
    {
        await Listeners.DisposeAsync();
        Pools.Dispose();
    }
}
