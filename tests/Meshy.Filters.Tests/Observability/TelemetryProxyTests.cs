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

        // Both HTTP versions report request_protocol="http" (Istio's label), so their requests add up in one series.
        (string, string) destination = ("reporter", "destination");
        (string, string) http = ("request_protocol", "http");
        (string, string) backend = ("destination_service", "backend");
        (string, string) held = ("destination_service", "held");
        Assert.Equal(4, metrics.Single("istio_requests_total", destination, backend, ("destination_version", "v1"),
            ("response_code", "200"), ("response_flags", "-"), http, ("grpc_response_status", "")));
        Assert.Equal(3, metrics.Single("istio_requests_total", destination, backend, ("destination_version", "v1"),
            ("response_code", "500"), ("response_flags", "-"), http));
        Assert.Equal(2, metrics.Single("istio_requests_total", destination, backend, ("destination_version", "v1"),
            ("response_code", "503"), ("response_flags", "FI"), http));
        Assert.Equal(1, metrics.Single("istio_requests_total", destination, ("destination_service", "unknown"), ("destination_version", "unknown"),
            ("response_code", "404"), ("response_flags", "NR"), http));
        Assert.Equal(1, metrics.Single("istio_requests_total", destination, ("destination_service", "dead"), ("destination_version", "unknown"),
            ("response_code", "503"), ("response_flags", "UF"), http));
        Assert.Equal(1, metrics.Single("istio_requests_total", destination, held, ("destination_version", "v2"),
            ("response_code", "200"), ("response_flags", "-"), http));
        Assert.Equal(1, metrics.Single("istio_requests_total", destination, held, ("destination_version", "v2"),
            ("response_code", "503"), ("response_flags", "UO"), http));
        Assert.Equal(13, metrics.Where("istio_requests_total").Sum(s => s.Value));
        Assert.All(metrics.Where("istio_requests_total"), s => Assert.Equal("unknown", s.Labels["source_workload"]));

        // Histograms: one observation per request, under the same labels as the counter. The two POSTs' bodies
        // (10 bytes over HTTP/1.1, 7 over HTTP/2) are the only request bodies.
        foreach (PrometheusText.Sample requests in metrics.Where("istio_requests_total"))
        {
            (string, string)[] labels = [.. requests.Labels.Select(l => (l.Key, l.Value))];
            Assert.Equal(requests.Value, metrics.Single("istio_request_duration_milliseconds_count", labels));
            Assert.Equal(requests.Value, metrics.Single("istio_request_bytes_count", labels));
            Assert.Equal(requests.Value, metrics.Single("istio_response_bytes_count", labels));
        }
        Assert.Equal(13, metrics.Where("istio_request_duration_milliseconds_count").Sum(s => s.Value));
        Assert.Equal(13, metrics.Where("istio_response_bytes_count").Sum(s => s.Value));
        Assert.Equal(17, metrics.Where("istio_request_bytes_sum").Sum(s => s.Value));
        Assert.Equal(17, metrics.Single("istio_request_bytes_sum", backend, ("response_code", "200")));
        Assert.True(metrics.Single("istio_response_bytes_sum", backend, ("response_code", "200")) > 4 * "HTTP/1.1 200 OK\r\n".Length);

        // Circuit breaking: the one request refused while the only slot of cluster held was taken, nothing else.
        const string Overflows = "meshy_circuit_breaker_overflows_total";
        Assert.Equal(1, metrics.Single(Overflows, ("cluster", "held"), ("limit", "max_requests")));
        Assert.Equal(1, metrics.Where(Overflows).Sum(s => s.Value));

        // TCP: one session, 5 bytes each way, ended in order.
        (string, string) echo = ("destination_service", "echo");
        Assert.Equal(1, metrics.Single("istio_tcp_connections_opened_total", destination, echo, ("destination_version", "v9"), ("request_protocol", "tcp")));
        Assert.Equal(1, metrics.Single("istio_tcp_connections_closed_total", destination, echo, ("response_flags", "-")));
        Assert.Equal(5, metrics.Single("istio_tcp_received_bytes_total", destination, echo));
        Assert.Equal(5, metrics.Single("istio_tcp_sent_bytes_total", destination, echo));

        // In flight: the held request while the upstream kept it, nothing any more.
        Assert.Equal(1, fixture.ScrapedWhileHeld!.Single("meshy_active_requests", ("cluster", "held")));
        Assert.Equal(["backend", "dead", "echo", "held"], metrics.Where("meshy_active_requests").Select(s => s.Labels["cluster"]).Order());
        Assert.All(metrics.Where("meshy_active_requests"), s => Assert.Equal(0, s.Value));
    }

    [Fact]
    public async Task Histograms_Scraped_BucketBoundariesAreIstios()
    {
        await using Fixture fixture = await Fixture.StartAsync(_directory);
        await fixture.DriveMixedTrafficAsync();
        PrometheusText metrics = await fixture.Proxy.ScrapeAsync();

        (string, string)[] ok = [("destination_service", "backend"), ("response_code", "200")];
        Assert.Equal([.. IstioBuckets.DurationMilliseconds, double.PositiveInfinity], Boundaries(metrics, "istio_request_duration_milliseconds_bucket", ok));
        Assert.Equal([.. IstioBuckets.Bytes, double.PositiveInfinity], Boundaries(metrics, "istio_request_bytes_bucket", ok));
        Assert.Equal([.. IstioBuckets.Bytes, double.PositiveInfinity], Boundaries(metrics, "istio_response_bytes_bucket", ok));
        Assert.Equal(
            [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000],
            IstioBuckets.DurationMilliseconds);
        Assert.Equal([1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000], IstioBuckets.Bytes);
        // Cumulative: the two POSTs' bodies (10 and 7 bytes) are in le=10 and above, the two empty bodies in le=1.
        Assert.Equal(2, metrics.Single("istio_request_bytes_bucket", [.. ok, ("le", "1")]));
        Assert.Equal(4, metrics.Single("istio_request_bytes_bucket", [.. ok, ("le", "10")]));
    }

    [Fact]
    public async Task AccessLog_MixedTraffic_OneJsonLinePerRequestAndSession()
    {
        await using Fixture fixture = await Fixture.StartAsync(_directory);
        await fixture.DriveMixedTrafficAsync();
        JsonElement[] lines = await fixture.ReadAccessLogAsync(count: 14);

        Assert.Equal(9, lines.Count(l => Text(l, "protocol") == "HTTP/1.1"));
        Assert.Equal(4, lines.Count(l => Text(l, "protocol") == "HTTP/2"));
        Assert.Equal(1, lines.Count(l => Text(l, "protocol") == "tcp"));

        JsonElement post = Assert.Single(lines, l => Text(l, "method") == "POST" && Text(l, "protocol") == "HTTP/1.1");
        Assert.Equal("web", post.GetProperty("listener").GetString());
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

        JsonElement http2Post = Assert.Single(lines, l => Text(l, "method") == "POST" && Text(l, "protocol") == "HTTP/2");
        Assert.Equal("web", http2Post.GetProperty("listener").GetString());
        Assert.Equal("/api/h2", http2Post.GetProperty("path").GetString());
        Assert.Equal("api", http2Post.GetProperty("rule").GetString());
        Assert.Equal("backend", http2Post.GetProperty("cluster").GetString());
        Assert.Equal("v1", http2Post.GetProperty("subset").GetString());
        Assert.Equal(fixture.Backend.EndPoint.ToString(), http2Post.GetProperty("endpoint").GetString());
        Assert.Equal(200, http2Post.GetProperty("status").GetInt32());
        Assert.Equal("-", http2Post.GetProperty("response_flags").GetString());
        Assert.Equal(7, http2Post.GetProperty("bytes_received").GetInt64());
        Assert.True(http2Post.GetProperty("bytes_sent").GetInt64() > 0);
        Assert.True(http2Post.GetProperty("upstream_time").GetDouble() >= 0);
        Assert.Equal(36, http2Post.GetProperty("request_id").GetString()!.Length);

        JsonElement http2Error = Assert.Single(lines, l => Text(l, "protocol") == "HTTP/2" && Status(l) == 500);
        Assert.Equal("/status/500", http2Error.GetProperty("path").GetString());
        Assert.Equal("plain", http2Error.GetProperty("rule").GetString());
        Assert.Equal("backend", http2Error.GetProperty("cluster").GetString());
        Assert.Equal("-", http2Error.GetProperty("response_flags").GetString());

        // Fault aborts, one per HTTP version: answered by Meshy, under the destination the rule chose.
        JsonElement[] aborted = [.. lines.Where(l => Text(l, "response_flags") == "FI")];
        Assert.Equal(["HTTP/1.1", "HTTP/2"], aborted.Select(l => Text(l, "protocol")).Order());
        Assert.All(aborted, l =>
        {
            Assert.Equal(503, Status(l));
            Assert.Equal("fault", Text(l, "rule"));
            Assert.Equal("backend", Text(l, "cluster"));
            Assert.Equal("v1", Text(l, "subset"));
            Assert.Equal(JsonValueKind.Null, l.GetProperty("endpoint").ValueKind);
            Assert.Equal(JsonValueKind.Null, l.GetProperty("upstream_time").ValueKind);
        });

        // The overflow came over HTTP/2 while the HTTP/1.1 request held the cluster's only slot.
        JsonElement overflow = Assert.Single(lines, l => Text(l, "response_flags") == "UO");
        Assert.Equal("HTTP/2", overflow.GetProperty("protocol").GetString());
        Assert.Equal(503, overflow.GetProperty("status").GetInt32());
        Assert.Equal("held", overflow.GetProperty("rule").GetString());
        Assert.Equal("held", overflow.GetProperty("cluster").GetString());
        Assert.Equal(JsonValueKind.Null, overflow.GetProperty("upstream_time").ValueKind);
        JsonElement heldOk = Assert.Single(lines, l => Text(l, "rule") == "held" && Status(l) == 200);
        Assert.Equal("HTTP/1.1", heldOk.GetProperty("protocol").GetString());
        Assert.Equal("-", heldOk.GetProperty("response_flags").GetString());

        JsonElement noRoute = Assert.Single(lines, l => Status(l) == 404);
        Assert.Equal("NR", noRoute.GetProperty("response_flags").GetString());
        Assert.Equal(JsonValueKind.Null, noRoute.GetProperty("route").ValueKind);
        Assert.Equal(JsonValueKind.Null, noRoute.GetProperty("upstream_time").ValueKind);
        Assert.Equal(JsonValueKind.Null, noRoute.GetProperty("trace_id").ValueKind);

        JsonElement refused = Assert.Single(lines, l => Text(l, "response_flags") == "UF");
        Assert.Equal(503, refused.GetProperty("status").GetInt32());
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

    private static double[] Boundaries(PrometheusText metrics, string bucket, (string, string)[] labels) =>
        [.. metrics.Where(bucket, labels).Select(s => s.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(s.Labels["le"], System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>A string field of an access-log line; null when absent or null.</summary>
    private static string? Text(JsonElement line, string name) =>
        line.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The status of an access-log line; null for TCP lines.</summary>
    private static int? Status(JsonElement line) =>
        line.TryGetProperty("status", out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private sealed class Fixture : IAsyncDisposable
    {
        public const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

        private readonly Socket _refusing;
        private readonly TaskCompletionSource _release;

        private Fixture(FakeHttpUpstream backend, TaskCompletionSource release, Socket refusing, FakeUpstream echo, ObservabilityHarness proxy, string logPath)
        {
            Backend = backend;
            _release = release;
            _refusing = refusing;
            Echo = echo;
            Proxy = proxy;
            LogPath = logPath;
        }

        public FakeHttpUpstream Backend { get; }

        public FakeUpstream Echo { get; }

        public ObservabilityHarness Proxy { get; }

        public string LogPath { get; }

        /// <summary>The metrics scraped while the upstream held the request to cluster <c>held</c>.</summary>
        public PrometheusText? ScrapedWhileHeld { get; private set; }

        public static async Task<Fixture> StartAsync(string directory, string fields = "")
        {
            // The backend echoes, except that it answers /held only once the test releases it.
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            FakeHttpUpstream backend = FakeHttpUpstream.Start(async (request, cancellationToken) =>
            {
                if (request.Head.Target == "/held")
                {
                    await release.Task.WaitAsync(cancellationToken);
                }
                return await FakeHttpUpstream.EchoAsync(request, cancellationToken);
            });
            Socket refusing = Loopback.BindRefusing();
            FakeUpstream echo = FakeUpstream.Echo();
            string logPath = Path.Combine(directory, "access.log");
            string toml = ObservabilityConfigs.Mixed(backend.EndPoint, (IPEndPoint)refusing.LocalEndPoint!, echo.EndPoint, ObservabilityConfigs.AccessLogTo(logPath, fields));
            ObservabilityHarness proxy = await ObservabilityHarness.StartAsync(toml);
            return new Fixture(backend, release, refusing, echo, proxy, logPath);
        }

        /// <summary>
        /// HTTP/1.1: 3×200 (one POST with 10 bytes), 2×500 from the upstream, 404 NR, 503 UF, 503 FI, and a 200 from
        /// cluster held. HTTP/2: a 200 (a POST with 7 bytes), a 500 from the upstream, 503 FI, and 503 UO from cluster
        /// held while the HTTP/1.1 request holds its only slot. One TCP session. Waits until all are recorded.
        /// </summary>
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
                await ExpectAsync(client, HttpMethod.Get, "/fault", HttpStatusCode.ServiceUnavailable);
            }
            using (HttpClient client = Proxy.CreateClient())
            {
                using var post = new HttpRequestMessage(HttpMethod.Post, "/api/h2")
                {
                    Content = new ByteArrayContent(Encoding.ASCII.GetBytes("h2-body")),
                    Version = HttpVersion.Version20,
                    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                };
                using (HttpResponseMessage response = await client.SendAsync(post))
                {
                    Assert.Equal(HttpVersion.Version20, response.Version);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
                await ExpectAsync(client, HttpMethod.Get, "/status/500", HttpStatusCode.InternalServerError, HttpVersion.Version20);
                await ExpectAsync(client, HttpMethod.Get, "/fault", HttpStatusCode.ServiceUnavailable, HttpVersion.Version20);
            }
            await OverflowHeldClusterAsync();
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
                return metrics.Where("istio_requests_total").Sum(s => s.Value) == 13
                    && metrics.Where("istio_tcp_connections_closed_total").Sum(s => s.Value) == 1;
            }, "13 requests and 1 TCP session are recorded");
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
            _release.TrySetResult();
            await Proxy.DisposeAsync();
            await Backend.DisposeAsync();
            await Echo.DisposeAsync();
            _refusing.Dispose();
        }

        /// <summary>
        /// Cluster held allows one request in flight: an HTTP/1.1 request takes the slot and the upstream keeps it;
        /// meanwhile an HTTP/2 request to the same cluster overflows (503 UO). Then the first one is answered.
        /// </summary>
        private async Task OverflowHeldClusterAsync()
        {
            using HttpClient http1 = Proxy.CreateClient();
            using HttpClient http2 = Proxy.CreateClient();
            Task<HttpResponseMessage> first = http1.GetAsync("/held");
            await Loopback.WaitUntilAsync(() => first.IsCompleted || Backend.Requests.Any(r => r.Head.Target == "/held"), "the upstream holds /held");
            Assert.False(first.IsCompleted, "/held was answered before the test released it");
            ScrapedWhileHeld = await Proxy.ScrapeAsync();

            await ExpectAsync(http2, HttpMethod.Get, "/held", HttpStatusCode.ServiceUnavailable, HttpVersion.Version20);

            _release.SetResult();
            using HttpResponseMessage response = await first;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        private static async Task ExpectAsync(HttpClient client, HttpMethod method, string path, HttpStatusCode expected, Version? version = null)
        {
            using var request = new HttpRequestMessage(method, path)
            {
                Version = version ?? HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            using HttpResponseMessage response = await client.SendAsync(request);
            Assert.Equal(request.Version, response.Version);
            Assert.Equal(expected, response.StatusCode);
        }
    }
}
