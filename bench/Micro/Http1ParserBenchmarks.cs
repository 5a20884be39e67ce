using System.Buffers;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Meshy.Filters.Http1;

namespace Meshy.Bench.Micro;

/// <summary>
/// The HTTP/1.1 request-head parser on a browser-like GET (11 fields) and a small POST, in one
/// segment and split over three (a head that straddles pipe segments takes the copy-per-line path).
/// The baseline is the least any parser must do: find the end of the head and copy it once.
/// Must show 0 B allocated: the head object and its pooled buffer are reused, as on a connection.
/// The <c>MB/s</c> column is head bytes parsed per second.
/// </summary>
/// <remarks>Public and unsealed: BenchmarkDotNet generates a derived class in a separate assembly.</remarks>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class Http1ParserBenchmarks
{
    private static readonly Dictionary<string, byte[]> Messages = new()
    {
        ["browser-get"] = Encoding.ASCII.GetBytes(
            "GET /search?q=meshy+proxy&lang=en HTTP/1.1\r\n" +
            "Host: www.example.com\r\n" +
            "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
            "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" +
            "Accept-Language: en-US,en;q=0.5\r\n" +
            "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
            "Connection: keep-alive\r\n" +
            "Cookie: session=3f2a9c81d7e64b0a; theme=dark; consent=yes\r\n" +
            "Upgrade-Insecure-Requests: 1\r\n" +
            "Sec-Fetch-Dest: document\r\n" +
            "Sec-Fetch-Mode: navigate\r\n" +
            "Cache-Control: max-age=0\r\n" +
            "\r\n"),
        ["small-post"] = Encoding.ASCII.GetBytes(
            "POST /api/v1/orders HTTP/1.1\r\n" +
            "Host: api.internal:8080\r\n" +
            "Content-Type: application/json\r\n" +
            "Content-Length: 27\r\n" +
            "Accept: */*\r\n" +
            "\r\n" +
            "{\"item\":\"book\",\"count\":2}\r\n"),
    };

    private readonly Http1Parser _parser = Http1Parser.Default;
    private readonly Http1RequestHead _head = new();
    private readonly byte[] _scratch = new byte[4096];
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _multi;

    /// <summary>Which request: <c>browser-get</c> (about 560 head bytes) or <c>small-post</c> (about 130 head bytes plus a body).</summary>
    [Params("browser-get", "small-post")]
    public string Message { get; set; } = "browser-get";

    [GlobalSetup]
    public void Setup()
    {
        byte[] bytes = Messages[Message];
        _single = new ReadOnlySequence<byte>(bytes);
        _multi = Split(bytes, bytes.Length / 3, 2 * bytes.Length / 3);
        if (!ParseSingleSegment() || !ParseMultiSegment())
        {
            throw new InvalidOperationException("benchmark message does not parse");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _head.Dispose();

    /// <summary>The floor: find the blank line and copy the head once.</summary>
    [Benchmark(Baseline = true)]
    public int FindEndAndCopy()
    {
        ReadOnlySpan<byte> span = _single.FirstSpan;
        int end = span.IndexOf("\r\n\r\n"u8) + 4;
        span[..end].CopyTo(_scratch);
        return end;
    }

    [Benchmark]
    public bool ParseSingleSegment()
    {
        var reader = new SequenceReader<byte>(_single);
        return _parser.TryParseRequestHead(ref reader, _head);
    }

    [Benchmark]
    public bool ParseMultiSegment()
    {
        var reader = new SequenceReader<byte>(_multi);
        return _parser.TryParseRequestHead(ref reader, _head);
    }

    private static ReadOnlySequence<byte> Split(byte[] bytes, int first, int second)
    {
        return ThreeSegments.Split(bytes, first, second);
    }

    private static int HeadLength(string message)
    {
        ReadOnlySpan<byte> bytes = Messages[message];
        return bytes.IndexOf("\r\n\r\n"u8) + 4;
    }

    /// <summary>Adds the <c>MB/s</c> column.</summary>
    public sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new ThroughputColumn());
    }

    /// <summary>Head bytes per second: the head length of the <see cref="Message"/> parameter over the mean time.</summary>
    private sealed class ThroughputColumn : IColumn
    {
        public string Id => nameof(ThroughputColumn);

        public string ColumnName => "MB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Head bytes parsed per second, in 10^6 bytes";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
            GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
            if (meanNanoseconds is not > 0 || benchmarkCase.Parameters["Message"] is not string message)
            {
                return "-";
            }
            double bytesPerSecond = HeadLength(message) / (meanNanoseconds.Value / 1e9);
            return (bytesPerSecond / 1e6).ToString("N0", CultureInfo.InvariantCulture);
        }

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
