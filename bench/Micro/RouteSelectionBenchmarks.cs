using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using BenchmarkDotNet.Attributes;
using Meshy.Conf.Compilation;
using Meshy.Conf.Loading;
using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.LoadBalancing;
using Meshy.Engine.Upstream.Pools;
using Meshy.Filters.HttpConnectionManager;
using Meshy.Filters.Router;
using Meshy.Filters.TcpProxy;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshy.Bench.Micro;

/// <summary>
/// Route selection on a table of 100 rules, compiled from TOML like <c>meshy run</c> does (loader,
/// snapshot compiler, HTTP connection manager factory): rules 1 to 99 match path prefix <c>/api/</c>
/// and header <c>x-tenant</c> against the regex <c>^tenant-N(-[a-z]+)?$</c>, rule 100 is a catch-all
/// with a 99/1 weighted split. Requests are routed through <see cref="RouterFilter.Match"/> (virtual
/// host, then rules in order) on a reused exchange, as the connection manager does for each request:
/// <list type="bullet">
/// <item>rule 1 (the baseline): one regex evaluated;</item>
/// <item>rule 50: 50 regexes evaluated;</item>
/// <item>the catch-all: 99 regexes fail, the worst case of this table;</item>
/// <item>the weighted pick of the catch-all's destination (smooth weighted round robin over 99/1) and of
/// the endpoint by the destination's balancer, as <see cref="RouterFilter.ForwardAsync"/> step 1 does.</item>
/// </list>
/// Must show 0 B allocated: regexes are compiled once per snapshot and matched on stack buffers.
/// </summary>
/// <remarks>Public and unsealed: BenchmarkDotNet generates a derived class in a separate assembly.</remarks>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 8)]
public class RouteSelectionBenchmarks
{
    private const int TenantRules = 99;

    private Http1PoolRegistry _pools = null!;
    private SocketSender _sender = null!;
    private RouterFilter _router = null!;
    private VirtualHostTable _hosts = null!;
    private HttpExchange _first = null!;
    private HttpExchange _middle = null!;
    private HttpExchange _fallThrough = null!;
    private WeightedPicker _split = null!;
    private readonly long _now = DateTimeOffset.UtcNow.UtcTicks;

    [GlobalSetup]
    public void Setup()
    {
        ConfigLoadResult loaded = ConfigLoader.LoadText(BuildToml(), "bench.toml");
        _pools = new Http1PoolRegistry();
        var connector = new UpstreamConnector(PipeOptionsFactory.Default);
        var factory = new HttpConnectionManagerFactory(connector, _pools, new TcpProxyMetrics(), [], NullLoggerFactory.Instance);
        ProxySnapshot snapshot = new SnapshotCompiler(new EndpointRegistry(), [factory]).Compile(
            loaded.Config ?? throw new InvalidOperationException(string.Join('\n', loaded.Diagnostics)), "bench.toml");
        ListenerSnapshot listener = snapshot.Listeners[0];
        var manager = (HttpConnectionManager)listener.NetworkFilters[^1];
        _router = manager.Router;
        _hosts = manager.Hosts;

        // One connection whose exchange is reused, like Http1ServerConnection's; never read or written.
        _sender = SocketChannel.Create(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).CreateSender();
        var pipe = new Pipe();
        var connection = new ConnectionContext
        {
            Id = 1,
            Snapshot = snapshot,
            Listener = listener,
            Transport = new DuplexPipe(pipe.Reader, pipe.Writer),
            Sender = _sender,
            RemoteEndPoint = new IPEndPoint(IPAddress.Parse("192.0.2.17"), 50123),
            LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 8080),
            Draining = CancellationToken.None,
            Closing = CancellationToken.None,
        };
        _first = Exchange(connection, snapshot, "tenant-1-eu");
        _middle = Exchange(connection, snapshot, "tenant-50");
        _fallThrough = Exchange(connection, snapshot, "tenant-100-eu");

        Check(MatchFirst(), "tenant-1");
        Check(MatchMiddle(), "tenant-50");
        Check(MatchFallThrough(), "catch-all");
        RouteRule catchAll = _hosts.Tables[0].Rules[^1];
        _split = catchAll.Destinations ?? throw new InvalidOperationException("the catch-all has no destinations");
        int stable = 0;
        for (int i = 0; i < 100; i++)
        {
            stable += PickDestination() == 99 ? 1 : 0;
        }
        if (stable != 99 || PickDestinationAndEndpoint() is null)
        {
            throw new InvalidOperationException($"the 99/1 split picked stable {stable} times in 100");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _first.Dispose();
        _middle.Dispose();
        _fallThrough.Dispose();
        _sender.Dispose();
        _pools.Dispose();
    }

    /// <summary>Matches rule 1: the host lookup and one regex.</summary>
    [Benchmark(Baseline = true)]
    public string? MatchFirst() => _router.Match(_first, _hosts)?.RuleName;

    /// <summary>Matches rule 50 after 49 failed regexes.</summary>
    [Benchmark]
    public string? MatchMiddle() => _router.Match(_middle, _hosts)?.RuleName;

    /// <summary>Matches the catch-all after 99 failed regexes.</summary>
    [Benchmark]
    public string? MatchFallThrough() => _router.Match(_fallThrough, _hosts)?.RuleName;

    /// <summary>The catch-all's destination by weight (99/1); returns its weight.</summary>
    [Benchmark]
    public int PickDestination() => _split.Pick(_now)?.Weight ?? -1;

    /// <summary>The destination by weight, then an endpoint of it by the cluster's balancer (round robin over two).</summary>
    [Benchmark]
    public string? PickDestinationAndEndpoint()
    {
        RouteDestination? destination = _split.Pick(_now);
        if (destination is null)
        {
            return null;
        }
        var balancing = new LoadBalancerContext(_now, 0, false);
        return destination.LoadBalancer.Pick(in balancing)?.Address;
    }

    private static HttpExchange Exchange(ConnectionContext connection, ProxySnapshot snapshot, string tenant)
    {
        var exchange = new HttpExchange(connection);
        exchange.Begin(snapshot);
        HttpRequestHead request = exchange.Request;
        request.SetMethod(HttpMethodKind.Get, "GET"u8);
        request.SetAuthority("app.example.com"u8);
        request.SetPath("/api/orders/4711"u8);
        request.SetQuery("expand=items"u8);
        HttpHeaderList headers = request.Headers;
        headers.Add("User-Agent"u8, "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"u8);
        headers.Add("Accept"u8, "application/json"u8);
        headers.Add("Accept-Language"u8, "en-US,en;q=0.5"u8);
        headers.Add("Accept-Encoding"u8, "gzip, deflate, br, zstd"u8);
        headers.Add("Cookie"u8, "session=3f2a9c81d7e64b0a; theme=dark"u8);
        headers.Add("X-Tenant"u8, Encoding.ASCII.GetBytes(tenant));
        headers.Add("x-forwarded-for"u8, "192.0.2.17"u8);
        headers.Add("x-forwarded-proto"u8, "http"u8);
        headers.Add("x-request-id"u8, "5b0e3c2a-91d4-4f7e-0000-000000000001"u8);
        return exchange;
    }

    private static void Check(string? rule, string expected)
    {
        if (rule != expected)
        {
            throw new InvalidOperationException($"matched {rule ?? "nothing"}, expected {expected}");
        }
    }

    private static string BuildToml()
    {
        var toml = new StringBuilder("""
            [[listeners]]
            name = "web"
            address = "127.0.0.1:0"
            protocol = "http"
            routes = "tenants"

            [[routes]]
            name = "tenants"
            hosts = ["app.example.com"]

            """);
        for (int n = 1; n <= TenantRules; n++)
        {
            toml.Append($$"""

                  [[routes.rules]]
                  name = "tenant-{{n}}"
                  match = { path.prefix = "/api/", headers.x-tenant.regex = '^tenant-{{n}}(-[a-z]+)?$' }
                  to = [{ cluster = "stable" }]

                """);
        }
        toml.Append("""

              [[routes.rules]]
              name = "catch-all"
              to = [
                { cluster = "stable", weight = 99 },
                { cluster = "canary", weight = 1 },
              ]

            [[clusters]]
            name = "stable"
            endpoints = [{ address = "127.0.0.1:9" }, { address = "127.0.0.2:9" }]

            [[clusters]]
            name = "canary"
            endpoints = [{ address = "127.0.0.3:9" }, { address = "127.0.0.4:9" }]
            """);
        return toml.ToString();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
