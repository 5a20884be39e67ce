using System.Net;
using Meshy.Conf.Compilation;
using Meshy.Conf.Loading;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.Pools;
using Meshy.Filters.HttpConnectionManager;
using Meshy.Filters.Mirror;
using Meshy.Filters.Observability.Tracing;
using Meshy.Filters.TcpProxy;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Mirror;

/// <summary>
/// An HTTP proxy on loopback built like <see cref="HttpProxyHarness"/>, with the mirror filter registered
/// (after tracing, as in <c>meshy run</c>) and its <see cref="MirrorRegistry"/> exposed for the counters.
/// <see cref="ReloadAsync"/> compiles a new config on the same process-wide state, as a reload does.
/// </summary>
internal sealed class MirrorProxy : IAsyncDisposable
{
    private readonly SnapshotCompiler _compiler;

    private MirrorProxy(SnapshotCompiler compiler, ListenerHarness listeners, Http1PoolRegistry pools, MirrorRegistry mirrors)
    {
        _compiler = compiler;
        Listeners = listeners;
        Pools = pools;
        Mirrors = mirrors;
    }

    public ListenerHarness Listeners { get; }

    public Http1PoolRegistry Pools { get; }

    /// <summary>The mirror counters and bounds.</summary>
    public MirrorRegistry Mirrors { get; }

    public static async Task<MirrorProxy> StartAsync(string toml, IRandomSource? random = null, int windowCapacity = MirrorWindow.DefaultCapacity)
    {
        var logs = new HttpLogCapture();
        var pools = new Http1PoolRegistry();
        var connector = new UpstreamConnector(PipeOptionsFactory.Default);
        var metrics = new TcpProxyMetrics();
        var mirrors = new MirrorRegistry(connector, pools, logs, windowCapacity: windowCapacity);
        var compiler = new SnapshotCompiler(new EndpointRegistry(),
        [
            new TcpProxyFilterFactory(connector, metrics, logs),
            new HttpConnectionManagerFactory(connector, pools, metrics, [new TraceContextFilterFactory(), new MirrorFilterFactory(mirrors, random)], logs),
        ]);
        ListenerHarness listeners = await ListenerHarness.StartAsync(Compile(compiler, toml));
        return new MirrorProxy(compiler, listeners, pools, mirrors);
    }

    /// <summary>Serves <paramref name="toml"/> from now on; requests in flight finish on the snapshot they started on.</summary>
    public Task ReloadAsync(string toml) => Listeners.ReloadAsync(Compile(_compiler, toml));

    /// <summary>Copies to <paramref name="cluster"/> counted as <paramref name="result"/>.</summary>
    public long Count(string cluster, MirrorResult result) => Mirrors.Count(cluster, result);

    /// <summary>Waits until <paramref name="count"/> copies to <paramref name="cluster"/> were counted as <paramref name="result"/>.</summary>
    public Task WaitForCountAsync(string cluster, MirrorResult result, long count) =>
        Loopback.WaitUntilAsync(() => Count(cluster, result) >= count,
            $"{count} mirror copies to {cluster} counted {result} (now {Count(cluster, result)})", TimeSpan.FromSeconds(20));

    public Uri BaseUri => new($"http://{Listeners.EndPoint("web")}");

    public IPEndPoint EndPoint => Listeners.EndPoint("web");

    public HttpClient CreateClient() =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 1, UseProxy = false, AllowAutoRedirect = false })
        {
            BaseAddress = BaseUri,
            Timeout = TimeSpan.FromSeconds(60),
        };

    public async ValueTask DisposeAsync()
    {
        await Listeners.DisposeAsync();
        Pools.Dispose();
    }

    private static ProxySnapshot Compile(SnapshotCompiler compiler, string toml)
    {
        ConfigLoadResult loaded = ConfigLoader.LoadText(toml, "test.toml");
        if (!loaded.Success)
        {
            throw new InvalidOperationException("bad test config:\n" + string.Join('\n', loaded.Diagnostics));
        }
        return compiler.Compile(loaded.Config!, "test.toml");
    }
}
