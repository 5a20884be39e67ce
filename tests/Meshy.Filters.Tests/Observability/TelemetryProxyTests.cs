using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Meshy.Filters.Observability.AccessLog;
using Meshy.Filters.Observability.Metrics;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Observability;

/// <summary>Mixed traffic through a real proxy, then the scraped metrics and the access log, exactly.</summary>
public sealed class TelemetryProxyTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("meshy-obs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Metrics_MixedTraffic_ExactCountsAndLabels()
    {
        await using Fixture fixture = await Fixture.StartAsync(_directory);
        await fixture.DriveMixedTrafficAsync();
        PrometheusText metrics = await fixture.Proxy.ScrapeAsync();

        (string, string) destination = ("reporter", "destination");
        Assert.Equal(3, metrics.Single("istio_requests_total", destination, ("destination_service", "backend"), ("destination_version", "v1"),
            ("response_code", "200"), ("response_flags", "-"), ("request_protocol", "http"), ("grpc_response_status", "")));
        Assert.Equal(2, metrics.Single("istio_requests_total", destination, ("destination_service", "backend"), ("destination_version", "v1"),
            ("response_code", "500"), ("response_flags", "-")));
        Assert.Equal(1, metrics.Single("istio_requests_total", destination, ("destination_service", "unknown"), ("destination_version", "unknown"),
            ("response_code", "404"), ("response_flags", "NR")));
        Assert.Equal(1, metrics.Single("istio_requests_total", destination, ("destination_service", "dead"), ("destination_version", "unknown"),
            ("response_code", "503"), ("response_flags", "UF")));
        Assert.Equal(7, metrics.Where("istio_requests_total").Sum(s => s.Value));
        Assert.All(metrics.Where("istio_requests_total"), s => Assert.Equal("unknown", s.Labels["source_workload"]));

        // Histograms: one observation per request; the POST's 10-byte body is the only request body.
        Assert.Equal(3, metrics.Single("istio_request_duration_milliseconds_count", ("response_code", "200")));
        Assert.Equal(7, metrics.Where("istio_response_bytes_count").Sum(s => s.Value));
        Assert.Equal(10, metrics.Single("istio_request_bytes_sum", ("response_code", "200")));
        Assert.True(metrics.Single("istio_response_bytes_sum", ("response_code", "200")) > 3 * "HTTP/1.1 200 OK\r\n".Length);

        // TCP: one session, 5 bytes each way, ended in order.
        (string, string) echo = ("destination_service", "echo");
        Assert.Equal(1, metrics.Single("istio_tcp_connections_opened_total", destination, echo, ("destination_version", "v9"), ("request_protocol", "tcp")));
        Assert.Equal(1, metrics.Single("istio_tcp_connections_closed_total", destination, echo, ("response_flags", "-")));
        Assert.Equal(5, metrics.Single("istio_tcp_received_bytes_total", destination, echo));
        Assert.Equal(5, metrics.Single("istio_tcp_sent_bytes_total", destination, echo));

        // Nothing in flight any more.
        Assert.Equal(0, metrics.Single("meshy_active_requests", ("cluster", "backend")));
    }

    [Fact]
    public async Task Histograms_Scraped_BucketBoundariesAreIstios()
    {
        await using Fixture fixture = await Fixture.StartAsync(_directory);
        await fixture.DriveMixedTrafficAsync();
        PrometheusText metrics = await fixture.Proxy.ScrapeAsync();

        (string, string) ok = ("response_code", "200");
        Assert.Equal([.. IstioBuckets.DurationMilliseconds, double.PositiveInfinity], Boundaries(metrics, "istio_request_duration_milliseconds_bucket", ok));
        Assert.Equal([.. IstioBuckets.Bytes, double.PositiveInfinity], Boundaries(metrics, "istio_request_bytes_bucket", ok));
        Assert.Equal([.. IstioBuckets.Bytes, double.PositiveInfinity], Boundaries(metrics, "istio_response_bytes_bucket", ok));
        Assert.Equal(
            [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000],
            IstioBuckets.DurationMilliseconds);
        Assert.Equal([1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000], IstioBuckets.Bytes);
        // Cumulative: the POST's 10-byte body is in le=10 and above, the two empty bodies in le=1.
        Assert.Equal(2, metrics.Single("istio_request_bytes_bucket", ok, ("le", "1")));
        Assert.Equal(3, metrics.Single("istio_request_bytes_bucket", ok, ("le", "10")));
    }

    [Fact]
    public async Task AccessLog_MixedTraffic_OneJsonLinePerRequestAndSession()
    {
        await using Fixture fixture = await Fixture.StartAsync(_directory);
        await fixture.DriveMixedTrafficAsync();
        JsonElement[] lines = await fixture.ReadAccessLogAsync(count: 8);

        JsonElement post = Assert.Single(lines, l => l.TryGetProperty("method", out JsonElement m) && m.GetString() == "POST");
        Assert.Equal("web", post.GetProperty("listener").GetString());
        Assert.Equal("HTTP/1.1", post.GetProperty("protocol").GetString());
        Assert.Equal("/api/post", post.GetProperty("path").GetString());
        Assert.Equal("web", post.GetProperty("route").GetString());
        Assert.Equal("api", post.GetProperty("rule").GetString());
        Assert.Equal("backend", post.GetProperty("cluster").GetString());
        Assert.Equal("v1", post.GetProperty("subset").GetString());
        Assert.Equal(fixture.Backend.EndPoint.ToString(), post.GetProperty("endpoint").GetString());
        Assert.Equal(200, post.GetProperty("status").GetInt32());
        Assert.Equal("-", post.GetProperty("response_flags").GetString());
        Assert.Equal(10, post.GetProperty("bytes_received").GetInt64());
        Assert.True(post.GetProperty("bytes_sent").GetInt64() > 0);
        Assert.True(post.GetProperty("duration").GetDouble() >= 0);
        Assert.True(post.GetProperty("upstream_time").GetDouble() >= 0);
        Assert.Equal(36, post.GetProperty("request_id").GetString()!.Length);
        Assert.Equal(Fixture.TraceId, post.GetProperty("trace_id").GetString());
        Assert.True(DateTimeOffset.TryParse(post.GetProperty("time").GetString(), out DateTimeOffset time));
        Assert.InRange(time, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));

        JsonElement noRoute = Assert.Single(lines, l => l.TryGetProperty("status", out JsonElement s) && s.GetInt32() == 404);
        Assert.Equal("NR", noRoute.GetProperty("response_flags").GetString());
        Assert.Equal(JsonValueKind.Null, noRoute.GetProperty("route").ValueKind);
        Assert.Equal(JsonValueKind.Null, noRoute.GetProperty("upstream_time").ValueKind);
        Assert.Equal(JsonValueKind.Null, noRoute.GetProperty("trace_id").ValueKind);

        JsonElement refused = Assert.Single(lines, l => l.TryGetProperty("status", out JsonElement s) && s.GetInt32() == 503);
        Assert.Equal("UF", refused.GetProperty("response_flags").GetString());
        Assert.Equal("dead", refused.GetProperty("cluster").GetString());

        JsonElement tcp = Assert.Single(lines, l => l.GetProperty("protocol").GetString() == "tcp");
        Assert.Equal("tcp", tcp.GetProperty("listener").GetString());
        Assert.Equal("echo", tcp.GetProperty("cluster").GetString());
        Assert.Equal(fixture.Echo.EndPoint.ToString(), tcp.GetProperty("endpoint").GetString());
        Assert.Equal(5, tcp.GetProperty("bytes_received").GetInt64());
        Assert.Equal(5, tcp.GetProperty("bytes_sent").GetInt64());
        Assert.False(tcp.TryGetProperty("method", out _));
    }

    [Fact]
    public async Task AccessLog_FieldsSelected_LinesCarryExactlyThoseInOrder()
    {
        await using Fixture fixture = await Fixture.StartAsync(_directory, fields: "\"status\", \"path\", \"trace_id\"");
        using HttpClient client = fixture.Proxy.CreateClient();
        using HttpResponseMessage response = await client.GetAsync("/api/one");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        JsonElement line = Assert.Single(await fixture.ReadAccessLogAsync(count: 1));
        Assert.Equal(["status", "path", "trace_id"], line.EnumerateObject().Select(p => p.Name));
        Assert.Equal("/api/one", line.GetProperty("path").GetString());
    }

    [Fact]
    public async Task AccessLog_SinkNobodyReads_RequestsSucceedAndLinesAreDropped()
    {
        string fifo = Path.Combine(_directory, "fifo");
        Assert.Equal(0, await RunAsync("mkfifo", fifo));
        await using FakeHttpUpstream backend = FakeHttpUpstream.Echo();
        using Socket refusing = Loopback.BindRefusing();
        await using FakeUpstream echo = FakeUpstream.Echo();
        string toml = ObservabilityConfigs.Mixed(backend.EndPoint, (IPEndPoint)refusing.LocalEndPoint!, echo.EndPoint, ObservabilityConfigs.AccessLogTo(fifo));
        await using ObservabilityHarness proxy = await ObservabilityHarness.StartAsync(toml, accessLogCapacity: 2);
        AccessLogWriter writer = proxy.Compiler.WriterOf(fifo)!;

        using HttpClient client = proxy.CreateClient();
        for (int i = 0; i < 10; i++)
        {
            using HttpResponseMessage response = await client.GetAsync("/api/x");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await Loopback.WaitUntilAsync(() => writer.DroppedLines == 8, "8 of 10 lines are dropped");
        Assert.Equal(0, writer.WrittenLines);
        PrometheusText metrics = await proxy.ScrapeAsync();
        Assert.Equal(8, metrics.Single("meshy_access_log_dropped_total"));

        // A reader appears: the writer thread opens the FIFO and writes the two lines it kept.
        using var reader = new StreamReader(new FileStream(fifo, FileMode.Open, FileAccess.Read));
        Assert.Contains("\"status\":200", await reader.ReadLineAsync());
    }

    private static async Task<int> RunAsync(string file, string argument)
    {
        using var process = System.Diagnostics.Process.Start(file, argument);
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    private static double[] Boundaries(PrometheusText metrics, string bucket, (string, string) label) =>
        [.. metrics.Where(bucket, label).Select(s => s.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(s.Labels["le"], System.Globalization.CultureInfo.InvariantCulture))];

    private sealed class Fixture : IAsyncDisposable
    {
        public const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

        private readonly Socket _refusing;

        private Fixture(FakeHttpUpstream backend, Socket refusing, FakeUpstream echo, ObservabilityHarness proxy, string logPath)
        {
            Backend = backend;
            _refusing = refusing;
            Echo = echo;
            Proxy = proxy;
            LogPath = logPath;
        }

        public FakeHttpUpstream Backend { get; }

        public FakeUpstream Echo { get; }

        public ObservabilityHarness Proxy { get; }

        public string LogPath { get; }

        public static async Task<Fixture> StartAsync(string directory, string fields = "")
        {
            FakeHttpUpstream backend = FakeHttpUpstream.Echo();
            Socket refusing = Loopback.BindRefusing();
            FakeUpstream echo = FakeUpstream.Echo();
            string logPath = Path.Combine(directory, "access.log");
            string toml = ObservabilityConfigs.Mixed(backend.EndPoint, (IPEndPoint)refusing.LocalEndPoint!, echo.EndPoint, ObservabilityConfigs.AccessLogTo(logPath, fields));
            ObservabilityHarness proxy = await ObservabilityHarness.StartAsync(toml);
            return new Fixture(backend, refusing, echo, proxy, logPath);
        }

        /// <summary>3×200 (one POST with 10 bytes), 2×500 from the upstream, 404 NR, 503 UF, one TCP session; waits until all are recorded.</summary>
        public async Task DriveMixedTrafficAsync()
        {
            using (HttpClient client = Proxy.CreateClient())
            {
                await ExpectAsync(client, HttpMethod.Get, "/api/a", HttpStatusCode.OK);
                await ExpectAsync(client, HttpMethod.Get, "/api/b", HttpStatusCode.OK);
                using var post = new HttpRequestMessage(HttpMethod.Post, "/api/post") { Content = new ByteArrayContent(Encoding.ASCII.GetBytes("0123456789")) };
                post.Headers.Add("traceparent", $"00-{TraceId}-00f067aa0ba902b7-01");
                using (HttpResponseMessage response = await client.SendAsync(post))
                {
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
                await ExpectAsync(client, HttpMethod.Get, "/status/500", HttpStatusCode.InternalServerError);
                await ExpectAsync(client, HttpMethod.Get, "/status/500", HttpStatusCode.InternalServerError);
                await ExpectAsync(client, HttpMethod.Get, "/missing", HttpStatusCode.NotFound);
                await ExpectAsync(client, HttpMethod.Get, "/dead", HttpStatusCode.ServiceUnavailable);
            }
            using (Socket socket = await Loopback.ConnectAsync(Proxy.EndPoint("tcp")))
            {
                await Loopback.SendAllAsync(socket, "hello"u8.ToArray());
                Assert.Equal("hello"u8.ToArray(), await Loopback.ReadExactlyAsync(socket, 5));
                socket.Shutdown(SocketShutdown.Send);
                Assert.True(await Loopback.WaitForCloseAsync(socket));
            }
            // Completion is recorded just after the response went out: wait for every record.
            await Loopback.WaitUntilAsync(() =>
            {
                PrometheusText metrics = Proxy.ScrapeAsync().GetAwaiter().GetResult();
                return metrics.Where("istio_requests_total").Sum(s => s.Value) == 7
                    && metrics.Where("istio_tcp_connections_closed_total").Sum(s => s.Value) == 1;
            }, "7 requests and 1 TCP session are recorded");
        }

        public async Task<JsonElement[]> ReadAccessLogAsync(int count)
        {
            string[] lines = [];
            await Loopback.WaitUntilAsync(() =>
            {
                lines = File.Exists(LogPath) ? File.ReadAllLines(LogPath) : [];
                return lines.Length >= count;
            }, $"{count} access-log lines are written");
            Assert.Equal(count, lines.Length);
            return [.. lines.Select(line => JsonDocument.Parse(line).RootElement.Clone())];
        }

        public async ValueTask DisposeAsync()
        {
            await Proxy.DisposeAsync();
            await Backend.DisposeAsync();
            await Echo.DisposeAsync();
            _refusing.Dispose();
        }

        private static async Task ExpectAsync(HttpClient client, HttpMethod method, string path, HttpStatusCode expected)
        {
            using var request = new HttpRequestMessage(method, path);
            using HttpResponseMessage response = await client.SendAsync(request);
            Assert.Equal(expected, response.StatusCode);
        }
    }
}
