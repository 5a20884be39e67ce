using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Meshy.Conf.Schema;
using Meshy.Engine.Http;
using Meshy.Filters.Observability.AccessLog;
using Meshy.Filters.Tests.Fault;
using Meshy.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace Meshy.Filters.Tests.Observability;

/// <summary>
/// The access-log line as bytes: every line parses with System.Text.Json to the request's values, whatever
/// bytes the request carried (quotes, backslashes, control characters, UTF-8, bytes that are not UTF-8).
/// </summary>
public sealed class AccessLogFormatterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("meshy-alog-").FullName;
    private readonly AccessLogWriter _writer;
    private readonly TestExchange _test = new();

    public AccessLogFormatterTests()
    {
        Counter dropped = Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()).CreateCounter("dropped", "test");
        _writer = new AccessLogWriter(Path.Combine(_directory, "log"), dropped, NullLogger.Instance);
    }

    public void Dispose()
    {
        _test.Dispose();
        _writer.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void FormatHttp_DefaultFields_OneJsonLineWithTheirValuesInOrder()
    {
        HttpExchange exchange = _test.Exchange;
        exchange.Request.SetAuthority("app.example.com"u8);
        exchange.Request.SetPath("/api/orders/4711?page=2"u8);
        exchange.Request.Headers.Add("x-request-id"u8, "5b0e3c2a-91d4-4f7e-0000-000000000001"u8);
        exchange.Request.Headers.Add("traceparent"u8, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"u8);
        exchange.Route = new Route("web", "api");
        exchange.Response.StatusCode = 201;
        long end = exchange.StartTimestamp + Stopwatch.Frequency * 1234 / 1_000_000; // 1.234 ms

        (string text, JsonElement line) = Format(AccessLogConfig.DefaultFields, exchange, end);

        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
        Assert.Equal(1, text.Count(c => c == '\n'));
        Assert.Equal(AccessLogConfig.DefaultFields, line.EnumerateObject().Select(p => p.Name));
        Assert.Equal("web", line.GetProperty("listener").GetString());
        Assert.Equal("HTTP/1.1", line.GetProperty("protocol").GetString());
        Assert.Equal("POST", line.GetProperty("method").GetString());
        Assert.Equal("app.example.com", line.GetProperty("authority").GetString());
        Assert.Equal("/api/orders/4711?page=2", line.GetProperty("path").GetString());
        Assert.Equal("web", line.GetProperty("route").GetString());
        Assert.Equal("api", line.GetProperty("rule").GetString());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("cluster").ValueKind);
        Assert.Equal(JsonValueKind.Null, line.GetProperty("endpoint").ValueKind);
        Assert.Equal(201, line.GetProperty("status").GetInt32());
        Assert.Equal("-", line.GetProperty("response_flags").GetString());
        Assert.Equal(312, line.GetProperty("bytes_received").GetInt64());
        Assert.Equal(1784, line.GetProperty("bytes_sent").GetInt64());
        Assert.Equal(Math.Round(Stopwatch.GetElapsedTime(exchange.StartTimestamp, end).TotalMilliseconds, 3), line.GetProperty("duration").GetDouble());
        Assert.Equal("5b0e3c2a-91d4-4f7e-0000-000000000001", line.GetProperty("request_id").GetString());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("upstream_time").ValueKind);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", line.GetProperty("trace_id").GetString());
        DateTime time = line.GetProperty("time").GetDateTime();
        Assert.Equal(DateTimeKind.Utc, time.Kind);
        Assert.InRange(time, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
    }

    [Fact]
    public void FormatHttp_EveryAsciiByteInPath_ParsesToTheSameString()
    {
        byte[] path = [.. Enumerable.Range(0, 0x80).Select(b => (byte)b)]; // controls, DEL, '"' and '\' among them

        JsonElement line = FormatPath(path);

        Assert.Equal(Encoding.ASCII.GetString(path), line.GetProperty("path").GetString());
    }

    [Fact]
    public void FormatHttp_ValidUtf8_ParsesToTheSameString()
    {
        const string Path = "/caf\u00e9/\u65e5\u672c/\U0001F600/\"q\"\t\\";

        JsonElement line = FormatPath(Encoding.UTF8.GetBytes(Path));

        Assert.Equal(Path, line.GetProperty("path").GetString());
    }

    [Theory]
    [InlineData(new byte[] { (byte)'/', 0xFF })]
    [InlineData(new byte[] { (byte)'/', (byte)'"', 0xC3, 0x28, 0x80, (byte)'\\', 0x01 })] // a broken sequence among escapes
    [InlineData(new byte[] { 0xE6, 0x97 })] // a sequence cut short
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // an encoded surrogate
    public void FormatHttp_NotUtf8_ParsesAsLatin1(byte[] path)
    {
        JsonElement line = FormatPath(path);

        Assert.Equal(Encoding.Latin1.GetString(path), line.GetProperty("path").GetString());
    }

    [Fact]
    public void FormatHttp_EveryByteInAHeader_ParsesAsLatin1()
    {
        byte[] agent = [.. Enumerable.Range(0, 0x100).Select(b => (byte)b)];
        _test.Exchange.Request.Headers.Add("user-agent"u8, agent);

        (_, JsonElement line) = Format(["user_agent"], _test.Exchange, Stopwatch.GetTimestamp());

        Assert.Equal(Encoding.Latin1.GetString(agent), line.GetProperty("user_agent").GetString());
    }

    [Fact]
    public void FormatHttp_LineLongerThanItsBuffer_GrowsAndStaysWhole()
    {
        // 20,000 bytes, each escaped to six: far beyond a slot's buffer.
        byte[] path = [.. Enumerable.Repeat((byte)0x01, 20_000)];

        JsonElement line = FormatPath(path);

        Assert.Equal(Encoding.ASCII.GetString(path), line.GetProperty("path").GetString());
    }

    [Fact]
    public void FormatHttp_NamesToEscape_ParseToTheSameStrings()
    {
        // Config names are plain in practice; the formatter must not rely on it.
        _test.Exchange.Route = new Route("t\u00e4ble \"1\"\\", "r\u00fcle\n\U0001F600\uD800");

        (_, JsonElement line) = Format(["route", "rule"], _test.Exchange, Stopwatch.GetTimestamp());

        Assert.Equal("t\u00e4ble \"1\"\\", line.GetProperty("route").GetString());
        Assert.Equal("r\u00fcle\n\U0001F600\uFFFD", line.GetProperty("rule").GetString()); // a lone surrogate is replaced
    }

    [Fact]
    public void FormatHttp_CustomMethod_WrittenAsReceived()
    {
        _test.Exchange.Request.SetMethod(HttpMethodKind.Custom, "PROPFIND"u8);

        (_, JsonElement line) = Format(["method"], _test.Exchange, Stopwatch.GetTimestamp());

        Assert.Equal("PROPFIND", line.GetProperty("method").GetString());
    }

    [Fact]
    public void FormatHttp_NoFields_EmptyObject()
    {
        (string text, _) = Format([], _test.Exchange, Stopwatch.GetTimestamp());

        Assert.Equal("{}\n", text);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(4L)]
    [InlineData(5L)] // half a microsecond: to even (0)
    [InlineData(15L)] // to even (2)
    [InlineData(9_999L)]
    [InlineData(10_000L)]
    [InlineData(11_400L)]
    [InlineData(123_456_789L)]
    [InlineData(36_000_000_000L)]
    public void WriteMilliseconds_Ticks_SameValueAsRoundingTheDouble(long ticks)
    {
        long start = 1_000_000;
        // Frequency is a whole multiple of TimeSpan's ticks (10^9 on Linux): multiplying by the ratio cannot overflow for an hour.
        long end = start + ticks * (Stopwatch.Frequency / TimeSpan.TicksPerSecond);
        var line = new AccessLogLineBuilder(new byte[4]);

        line.WriteMilliseconds(start, end);

        string text = Encoding.ASCII.GetString(line.Buffer, 0, line.Length);
        Assert.Equal(Math.Round(Stopwatch.GetElapsedTime(start, end).TotalMilliseconds, 3), JsonSerializer.Deserialize<double>(text));
        Assert.DoesNotContain('E', text);
        Assert.False(text.Contains('.') && text.EndsWith('0'), text); // shortest form
    }

    [Fact]
    public void WriteMilliseconds_EndBeforeStart_Zero()
    {
        // Turn times read on two engine threads can be out of order by up to a turn.
        var line = new AccessLogLineBuilder(new byte[4]);

        line.WriteMilliseconds(startTimestamp: 1_000_000, endTimestamp: 999_000);

        Assert.Equal("0", Encoding.ASCII.GetString(line.Buffer, 0, line.Length));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(1_230_000L)]
    [InlineData(9_999_999L)]
    [InlineData(5_000_000L)]
    public void WriteTime_Fractions_BytesAsSystemTextJsonWritesTheDateTime(long fraction)
    {
        long ticks = new DateTime(2026, 11, 26, 6, 58, 24, DateTimeKind.Utc).Ticks + fraction;
        var line = new AccessLogLineBuilder(new byte[8]);

        line.WriteTime(ticks);
        line.WriteTime(ticks + TimeSpan.TicksPerDay); // the next day: the cached second is replaced

        string expected = JsonSerializer.Serialize(new DateTime(ticks, DateTimeKind.Utc)) + JsonSerializer.Serialize(new DateTime(ticks + TimeSpan.TicksPerDay, DateTimeKind.Utc));
        Assert.Equal(expected, Encoding.ASCII.GetString(line.Buffer, 0, line.Length));
    }

    [Fact]
    public async Task WriteTcp_FirstFieldsHttpOnly_LineIsValidJsonWithTheRest()
    {
        string path = Path.Combine(_directory, "tcp");
        Counter dropped = Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()).CreateCounter("dropped", "test");
        using (var writer = new AccessLogWriter(path, dropped, NullLogger.Instance))
        {
            var formatter = new AccessLogFormatter(AccessLogFields.Parse(["method", "path", "protocol", "bytes_sent"]), writer);

            Assert.True(formatter.WriteTcp(_test.Exchange.Connection, Stopwatch.GetTimestamp(), Stopwatch.GetTimestamp()));
            await Loopback.WaitUntilAsync(() => writer.WrittenLines == 1, "the line is written");
        }

        // Read once the writer is disposed: a written line reaches the file with its batch's flush.
        Assert.Equal("{\"protocol\":\"tcp\",\"bytes_sent\":0}", Assert.Single(File.ReadAllLines(path)));
    }

    private JsonElement FormatPath(byte[] path)
    {
        _test.Exchange.Request.SetPath(path);
        return Format(["path"], _test.Exchange, Stopwatch.GetTimestamp()).Line;
    }

    private (string Text, JsonElement Line) Format(IEnumerable<string> fields, HttpExchange exchange, long end)
    {
        var formatter = new AccessLogFormatter(AccessLogFields.Parse(fields), _writer);
        byte[] buffer = new byte[512];
        int length = formatter.FormatHttp(ref buffer, exchange, end, 312, 1784);
        string text = Encoding.UTF8.GetString(buffer, 0, length);
        Assert.True(Utf8.IsValid(buffer.AsSpan(0, length)), "the line is UTF-8");
        using JsonDocument json = JsonDocument.Parse(buffer.AsMemory(0, length));
        return (text, json.RootElement.Clone());
    }

    private sealed class Route(string table, string rule) : IHttpRoute
    {
        public string TableName => table;

        public string RuleName => rule;

        public HttpFilterChain Filters => HttpFilterChain.Empty;

        public TimeSpan? Timeout => null;
    }
}
