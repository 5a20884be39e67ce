using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Meshy.Filters.Http2;
using Meshy.Filters.Tests.Http2Proxy;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Observability;

/// <summary>Requests the HTTP/1.1 codec rejects never become exchanges, yet are counted and logged like any other.</summary>
public sealed class RejectedRequestTelemetryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("meshy-obs-rejected-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string, int, string> Rejections() => new()
    {
        { "GET / HTTP/1.1\r\n\r\n", 400, "DPE" },                                              // missing Host
        { "GET / HTTP/1.1\r\nHo", 408, "-" },                                                  // half a head, then silence
        { "GET /" + new string('a', 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414, "DPE" },
        { "GET / HTTP/1.1\r\nHost: a\r\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"X-{i}: v\r\n")) + "\r\n", 431, "DPE" },
        { "GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505, "DPE" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task Telemetry_RejectedByParser_CountedAsUnknownDestinationAndLogged(string request, int status, string flags)
    {
        await using FakeHttpUpstream backend = FakeHttpUpstream.Echo();
        string logPath = Path.Combine(_directory, "access.log");
        await using ObservabilityHarness proxy = await ObservabilityHarness.StartAsync(Config(backend.EndPoint, logPath));

        using (Socket client = await Loopback.ConnectAsync(proxy.EndPoint("web")))
        {
            await Loopback.SendAllAsync(client, Encoding.Latin1.GetBytes(request));
            string answer = Encoding.Latin1.GetString(await Loopback.ReadToEndAsync(client));   // ends: the proxy closed
            Assert.StartsWith($"HTTP/1.1 {status} ", answer);
        }

        (string, string)[] series =
        [
            ("reporter", "destination"), ("destination_service", "unknown"), ("destination_version", "unknown"),
            ("response_code", status.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("response_flags", flags),
            ("request_protocol", "http"),
        ];
        PrometheusText metrics = null!;
        await Loopback.WaitUntilAsync(() =>
        {
            metrics = proxy.ScrapeAsync().GetAwaiter().GetResult();
            return metrics.Where("istio_requests_total").Any();
        }, "the rejected request is recorded");
        Assert.Equal(1, metrics.Single("istio_requests_total", series));
        Assert.Equal(1, metrics.Where("istio_requests_total").Sum(s => s.Value));
        Assert.Equal(1, metrics.Single("istio_request_duration_milliseconds_count", series));
        Assert.True(metrics.Single("istio_response_bytes_sum", series) > $"HTTP/1.1 {status} ".Length);
        Assert.Equal(0, backend.Accepted);

        string[] lines = [];
        await Loopback.WaitUntilAsync(() =>
        {
            lines = File.Exists(logPath) ? File.ReadAllLines(logPath) : [];
            return lines.Length >= 1;
        }, "the access-log line is written");
        JsonElement line = JsonDocument.Parse(Assert.Single(lines)).RootElement;
        Assert.Equal("web", line.GetProperty("listener").GetString());
        Assert.Equal("HTTP/1.1", line.GetProperty("protocol").GetString());
        Assert.Equal(status, line.GetProperty("status").GetInt32());
        Assert.Equal(flags, line.GetProperty("response_flags").GetString());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("method").ValueKind);
        Assert.Equal(JsonValueKind.Null, line.GetProperty("path").ValueKind);
        Assert.Equal(JsonValueKind.Null, line.GetProperty("cluster").ValueKind);
        Assert.Equal(JsonValueKind.Null, line.GetProperty("upstream_time").ValueKind);
        Assert.Equal(0, line.GetProperty("bytes_received").GetInt64());
        Assert.True(line.GetProperty("bytes_sent").GetInt64() > 0);
        Assert.True(line.GetProperty("duration").GetDouble() >= 0);
    }

    [Fact]
    public async Task Telemetry_Http2MalformedRequestReset_CountedWithStatusZeroAndLoggedAsHttp2()
    {
        await using FakeHttpUpstream backend = FakeHttpUpstream.Echo();
        string logPath = Path.Combine(_directory, "access.log");
        await using ObservabilityHarness proxy = await ObservabilityHarness.StartAsync(Config(backend.EndPoint, logPath));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint("web"));
        await connection.HandshakeAsync();

        // An uppercase field name makes the request malformed (RFC 9113 §8.2.1): reset, and the connection goes on.
        await connection.SendHeadersAsync(1, endStream: true, (":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", "/"), ("X-Upper", "v"));
        Assert.Equal(Http2ErrorCode.ProtocolError, await connection.ReadResetAsync(1));
        await connection.SendGetAsync(3);
        Assert.Equal(200, (await connection.ReadResponseAsync(3)).Status);

        (string, string)[] rejected =
        [
            ("destination_service", "unknown"), ("response_code", "0"), ("response_flags", "DPE"), ("request_protocol", "http"),
        ];
        PrometheusText metrics = null!;
        await Loopback.WaitUntilAsync(() =>
        {
            metrics = proxy.ScrapeAsync().GetAwaiter().GetResult();
            return metrics.Where("istio_requests_total").Sum(s => s.Value) >= 2;
        }, "both requests are recorded");
        Assert.Equal(1, metrics.Single("istio_requests_total", rejected));
        Assert.Equal(2, metrics.Where("istio_requests_total").Sum(s => s.Value));
        Assert.Single(backend.Requests);

        string[] lines = [];
        await Loopback.WaitUntilAsync(() =>
        {
            lines = File.Exists(logPath) ? File.ReadAllLines(logPath) : [];
            return lines.Length >= 2;
        }, "both access-log lines are written");
        JsonElement line = lines.Select(l => JsonDocument.Parse(l).RootElement).Single(l => l.GetProperty("status").GetInt32() == 0);
        Assert.Equal("HTTP/2", line.GetProperty("protocol").GetString());
        Assert.Equal("DPE", line.GetProperty("response_flags").GetString());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("path").ValueKind);
        Assert.Equal(0, line.GetProperty("bytes_sent").GetInt64());
    }

    private static string Config(IPEndPoint backend, string logPath) => $$"""
        {{ObservabilityConfigs.AccessLogTo(logPath)}}

        [[listeners]]
        name = "web"
        address = "127.0.0.1:0"
        protocol = "http"
        routes = "web"
        request_header_timeout = "300ms"
        max_header_count = 10

        [[routes]]
        name = "web"
        hosts = ["*"]

          [[routes.rules]]
          name = "all"
          match.path.prefix = "/"
          to = [{ cluster = "backend" }]

        [[clusters]]
        name = "backend"
        endpoints = [{ address = "{{backend}}" }]
        """;
}
