using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Meshy.Conf.Compilation;
using Meshy.Conf.Loading;
using Meshy.Engine.Http;
using Meshy.Engine.Observability;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.Pools;
using Meshy.Filters.HttpConnectionManager;
using Meshy.Filters.Observability;
using Meshy.Filters.Observability.Metrics;
using Meshy.Filters.TcpProxy;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace Meshy.Bench.Micro;

/// <summary>
/// Recording one request's telemetry through the compiled <see cref="IProxyTelemetry"/> of a snapshot
/// compiled from TOML like <c>meshy run</c> does (snapshot compiler with the observability compiler, on
/// a private Prometheus registry): what the connection manager calls once per completed exchange and
/// the TCP proxy once per session.
/// <list type="bullet">
/// <item>a completed HTTP/1.1 exchange (200, cluster <c>backend</c>, subset <c>v1</c>): <c>istio_requests_total</c>
/// and the three histograms (the baseline);</item>
/// <item>the same with <c>[access_log]</c> on, to <c>/dev/null</c>: the JSON line is formatted and queued too;</item>
/// <item>a request rejected by the HTTP/1.1 parser (400 <c>DPE</c>, <c>destination_service="unknown"</c>);</item>
/// <item>a TCP session closing (cluster <c>db</c>): the closed counter and both byte counters.</item>
/// </list>
/// Must show 0 B allocated: label children are resolved per snapshot and per status × flags on first use.
/// </summary>
/// <remarks>Public and unsealed: BenchmarkDotNet generates a derived class in a separate assembly.</remarks>
[MemoryDiagnoser]
[ShortRunJob]
public class TelemetryRecordingBenchmarks
{
    private const string Toml = """
        [[listeners]]
        name = "web"
        address = "127.0.0.1:0"
        protocol = "http"
        routes = "web"

        [[listeners]]
        name = "db"
        address = "127.0.0.1:0"
        protocol = "tcp"
        cluster = "db"

        [[routes]]
        name = "web"
        hosts = ["*"]

          [[routes.rules]]
          name = "api"
          match.path.prefix = "/"
          to = [{ cluster = "backend", subset = "v1" }]

        [[clusters]]
        name = "backend"
        endpoints = [{ address = "192.0.2.10:8080", labels = { version = "v1" } }]
        subsets = [{ name = "v1", labels = { version = "v1" } }]

        [[clusters]]
        name = "db"
        endpoints = [{ address = "192.0.2.20:5432", labels = { version = "v9" } }]
        """;

    private ObservabilityCompiler _compiler = null!;
    private Http1PoolRegistry _pools = null!;
    private SocketSender _sender = null!;
    private IProxyTelemetry _telemetry = null!;
    private IProxyTelemetry _telemetryWithLog = null!;
    private HttpExchange _exchange = null!;
    private HttpExchange _exchangeWithLog = null!;
    private ConnectionContext _web = null!;
    private ConnectionContext _tcp = null!;
    private CollectorRegistry _registry = null!;
    private long _start;

    [GlobalSetup]
    public void Setup()
    {
        _registry = Prometheus.Metrics.NewCustomRegistry();
        _compiler = new ObservabilityCompiler(new ObservabilityMetrics(_registry), NullLoggerFactory.Instance);
        _pools = new Http1PoolRegistry();
        ProxySnapshot snapshot = Compile(Toml);
        ProxySnapshot logged = Compile("[access_log]\npath = \"/dev/null\"\n" + Toml);
        _telemetry = snapshot.Telemetry;
        _telemetryWithLog = logged.Telemetry;

        // Connections are never read or written: the sender's socket is not even connected.
        _sender = SocketChannel.Create(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).CreateSender();
        _web = Connection(snapshot, snapshot.Listeners[0]);
        _tcp = Connection(snapshot, snapshot.Listeners[1]);
        ClusterSnapshot db = snapshot.Clusters["db"];
        _tcp.UpstreamCluster = db.Name;
        _tcp.UpstreamEndpoint = db.Endpoints[0];
        _tcp.BytesReceived = 4096;
        _exchange = Exchange(Connection(snapshot, snapshot.Listeners[0]), snapshot);
        _exchangeWithLog = Exchange(Connection(logged, logged.Listeners[0]), logged);
        _start = Stopwatch.GetTimestamp();

        // Every path records what it should, once, before it is measured.
        RecordHttp();
        RecordHttpWithAccessLog();
        RecordRejected();
        RecordTcpClose();
        string text = Scrape();
        foreach (string expected in new[]
        {
            "istio_requests_total{reporter=\"destination\",source_workload=\"unknown\",destination_workload=\"unknown\",destination_service=\"backend\",destination_service_name=\"backend\",destination_version=\"v1\",request_protocol=\"http\",connection_security_policy=\"none\",response_code=\"200\",grpc_response_status=\"\",response_flags=\"-\"} 2",
            "destination_service=\"unknown\",destination_service_name=\"unknown\",destination_version=\"unknown\",request_protocol=\"http\",connection_security_policy=\"none\",response_code=\"400\",grpc_response_status=\"\",response_flags=\"DPE\"} 1",
            "istio_tcp_connections_closed_total{reporter=\"destination\",source_workload=\"unknown\",destination_workload=\"unknown\",destination_service=\"db\",destination_service_name=\"db\",destination_version=\"v9\",request_protocol=\"tcp\",connection_security_policy=\"none\",response_flags=\"-\"} 1",
        })
        {
            if (!text.Contains(expected, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the scrape lacks {expected}:\n{text}");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _exchange.Dispose();
        _exchangeWithLog.Dispose();
        _sender.Dispose();
        _pools.Dispose();
        _compiler.Dispose();
    }

    /// <summary>A completed exchange: its series found (two frozen lookups, one per status × flags), four observations.</summary>
    [Benchmark(Baseline = true)]
    public void RecordHttp() => _telemetry.OnHttpExchangeCompleted(_exchange);

    /// <summary>The same, plus the access-log line formatted and queued for the writer thread.</summary>
    [Benchmark]
    public void RecordHttpWithAccessLog() => _telemetryWithLog.OnHttpExchangeCompleted(_exchangeWithLog);

    /// <summary>A request the HTTP/1.1 parser rejected (400 <c>DPE</c>).</summary>
    [Benchmark]
    public void RecordRejected() => _telemetry.OnHttpRejected(_web, 11, 400, ResponseFlags.DownstreamProtocolError, _start, 128);

    /// <summary>A TCP session closing: closed counter and both byte counters.</summary>
    [Benchmark]
    public void RecordTcpClose() => _telemetry.OnTcpSessionClosed(_tcp, _start);

    private ProxySnapshot Compile(string toml)
    {
        ConfigLoadResult loaded = ConfigLoader.LoadText(toml, "bench.toml");
        var connector = new UpstreamConnector(PipeOptionsFactory.Default);
        var tcpMetrics = new TcpProxyMetrics();
        var snapshots = new SnapshotCompiler(new EndpointRegistry(),
        [
            new TcpProxyFilterFactory(connector, tcpMetrics, NullLoggerFactory.Instance),
            new HttpConnectionManagerFactory(connector, _pools, tcpMetrics, [], NullLoggerFactory.Instance),
        ], telemetry: _compiler);
        return snapshots.Compile(loaded.Config ?? throw new InvalidOperationException(string.Join('\n', loaded.Diagnostics)), "bench.toml");
    }

    private ConnectionContext Connection(ProxySnapshot snapshot, ListenerSnapshot listener)
    {
        var pipe = new Pipe();
        return new ConnectionContext
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
    }

    private static HttpExchange Exchange(ConnectionContext connection, ProxySnapshot snapshot)
    {
        var exchange = new HttpExchange(connection);
        exchange.Begin(snapshot);
        HttpRequestHead request = exchange.Request;
        request.SetMethod(HttpMethodKind.Get, "GET"u8);
        request.SetAuthority("app.example.com"u8);
        request.SetPath("/api/orders/4711"u8);
        request.Headers.Add("user-agent"u8, "curl/8.5.0"u8);
        request.Headers.Add("x-request-id"u8, "5b0e3c2a-91d4-4f7e-0000-000000000001"u8);
        request.Headers.Add("traceparent"u8, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"u8);
        ClusterSnapshot backend = snapshot.Clusters["backend"];
        exchange.Cluster = backend;
        exchange.Subset = backend.Subsets["v1"];
        exchange.Endpoint = backend.Endpoints[0];
        exchange.Response.StatusCode = 200;
        exchange.ResponseStartTimestamp = Stopwatch.GetTimestamp();
        return exchange;
    }

    private string Scrape()
    {
        using var stream = new MemoryStream();
        _registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
