using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Meshy.Conf.Compilation;
using Meshy.Conf.Loading;
using Meshy.Conf.Schema;
using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.Pools;
using Meshy.Filters.HttpConnectionManager;
using Meshy.Filters.Observability.AccessLog;
using Meshy.Filters.TcpProxy;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshy.Bench.Micro;

/// <summary>
/// One access-log line: what <see cref="AccessLogFormatter.WriteHttp"/> does per request with <c>[access_log]</c>
/// on and the default <c>fields</c>, for a completed, proxied HTTP/1.1 exchange (route, rule, cluster, subset,
/// endpoint, request id, trace context), formatted into a reused buffer as it is into a slot of the
/// <see cref="AccessLogWriter"/>'s ring. The ring itself (one compare-and-swap to claim a slot, one write to
/// publish it) is left out: a writer thread draining it concurrently would make BenchmarkDotNet's loop race
/// it, and a dropped line skips the work.
/// <list type="bullet">
/// <item>every request value printable ASCII, as nearly always (the baseline);</item>
/// <item>values that need escaping: a path with quotes, a backslash and UTF-8; a request id with tabs and a byte
/// that is not UTF-8 (read as Latin-1).</item>
/// </list>
/// Must show 0 B allocated. <see cref="Setup"/> parses both lines as JSON before anything is measured.
/// </summary>
/// <remarks>Public and unsealed: BenchmarkDotNet generates a derived class in a separate assembly.</remarks>
[MemoryDiagnoser]
public class AccessLogFormattingBenchmarks
{
    private const string Toml = """
        [[listeners]]
        name = "web"
        address = "127.0.0.1:0"
        protocol = "http"
        routes = "web"

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
        """;

    private Http1PoolRegistry _pools = null!;
    private SocketSender _sender = null!;
    private AccessLogWriter _writer = null!;
    private AccessLogFormatter _formatter = null!;
    private HttpExchange _plain = null!;
    private HttpExchange _escaped = null!;
    private byte[] _buffer = new byte[1024];

    [GlobalSetup]
    public void Setup()
    {
        _pools = new Http1PoolRegistry();
        ProxySnapshot snapshot = Compile(Toml);
        _writer = new AccessLogWriter("/dev/null", Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()).CreateCounter("dropped", "bench"), NullLogger.Instance);
        _formatter = new AccessLogFormatter(AccessLogFields.Parse(AccessLogConfig.DefaultFields), _writer);
        // Connections are never read or written: the sender's socket is not even connected.
        _sender = SocketChannel.Create(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).CreateSender();
        _plain = Exchange(snapshot, "/api/orders/4711?page=2"u8, "5b0e3c2a-91d4-4f7e-0000-000000000001"u8);
        _escaped = Exchange(snapshot, "/files/\"quoted\"\\dir/caf\u00e9/\u00ff"u8, [.. "5b0e3c2a\t91d4\t4f7e\t"u8, 0xFF]);

        // Both lines are whole JSON objects with the values of the request before they are measured.
        Check(FormatHttp(), "/api/orders/4711?page=2", "5b0e3c2a-91d4-4f7e-0000-000000000001");
        Check(FormatHttpEscaped(), "/files/\"quoted\"\\dir/caf\u00e9/\u00ff", "5b0e3c2a\t91d4\t4f7e\t\u00ff");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _writer.Dispose();
        _plain.Dispose();
        _escaped.Dispose();
        _sender.Dispose();
        _pools.Dispose();
    }

    /// <summary>A line whose request values are all printable ASCII.</summary>
    [Benchmark(Baseline = true)]
    public int FormatHttp() => _formatter.FormatHttp(ref _buffer, _plain, End(_plain), 312, 1784);

    /// <summary>A line whose path and request id need escaping (and one byte transcoding from Latin-1).</summary>
    [Benchmark]
    public int FormatHttpEscaped() => _formatter.FormatHttp(ref _buffer, _escaped, End(_escaped), 312, 1784);

    private void Check(int length, string path, string requestId)
    {
        ReadOnlySpan<byte> line = _buffer.AsSpan(0, length);
        if (line[^1] != (byte)'\n')
        {
            throw new InvalidOperationException("the line does not end with a newline");
        }
        using JsonDocument json = JsonDocument.Parse(_buffer.AsMemory(0, length - 1));
        JsonElement root = json.RootElement;
        if (root.GetProperty("path").GetString() != path || root.GetProperty("request_id").GetString() != requestId
            || root.GetProperty("status").GetInt32() != 200
            || root.GetProperty("rule").GetString() != "api" || root.GetProperty("duration").GetDouble() != 1.14
            || root.EnumerateObject().Count() != AccessLogConfig.DefaultFields.Length)
        {
            throw new InvalidOperationException($"unexpected line: {System.Text.Encoding.UTF8.GetString(line)}");
        }
    }

    private static long End(HttpExchange exchange) => exchange.StartTimestamp + Stopwatch.Frequency * 114 / 100_000;

    private ProxySnapshot Compile(string toml)
    {
        ConfigLoadResult loaded = ConfigLoader.LoadText(toml, "bench.toml");
        var connector = new UpstreamConnector(PipeOptionsFactory.Default);
        var tcpMetrics = new TcpProxyMetrics();
        var snapshots = new SnapshotCompiler(new EndpointRegistry(),
        [
            new TcpProxyFilterFactory(connector, tcpMetrics, NullLoggerFactory.Instance),
            new HttpConnectionManagerFactory(connector, _pools, tcpMetrics, [], NullLoggerFactory.Instance),
        ]);
        return snapshots.Compile(loaded.Config ?? throw new InvalidOperationException(string.Join('\n', loaded.Diagnostics)), "bench.toml");
    }

    private HttpExchange Exchange(ProxySnapshot snapshot, ReadOnlySpan<byte> path, ReadOnlySpan<byte> requestId)
    {
        var pipe = new Pipe();
        var connection = new ConnectionContext
        {
            Id = 1,
            Snapshot = snapshot,
            Listener = snapshot.Listeners[0],
            Transport = new DuplexPipe(pipe.Reader, pipe.Writer),
            Sender = _sender,
            RemoteEndPoint = new IPEndPoint(IPAddress.Parse("192.0.2.17"), 50123),
            LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 8080),
            Draining = CancellationToken.None,
            Closing = CancellationToken.None,
        };
        var exchange = new HttpExchange(connection);
        exchange.Begin(snapshot);
        HttpRequestHead request = exchange.Request;
        request.SetMethod(HttpMethodKind.Get, "GET"u8);
        request.SetAuthority("app.example.com"u8);
        request.SetPath(path);
        request.Headers.Add("user-agent"u8, "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"u8);
        request.Headers.Add("x-request-id"u8, requestId);
        request.Headers.Add("traceparent"u8, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"u8);
        ClusterSnapshot backend = snapshot.Clusters["backend"];
        exchange.Route = new Route("web", "api");
        exchange.Cluster = backend;
        exchange.Subset = backend.Subsets["v1"];
        exchange.Endpoint = backend.Endpoints[0];
        exchange.Response.StatusCode = 200;
        // The response head back after 0.9 ms (the line ends 1.14 ms after the start, see End).
        exchange.ResponseStartTimestamp = exchange.StartTimestamp + Stopwatch.Frequency * 9 / 10_000;
        return exchange;
    }

    private sealed class Route(string table, string rule) : IHttpRoute
    {
        public string TableName => table;

        public string RuleName => rule;

        public HttpFilterChain Filters => HttpFilterChain.Empty;

        public TimeSpan? Timeout => null;
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
