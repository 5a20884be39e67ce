using System.Globalization;
using System.Runtime.InteropServices;
using Meshy.Bench.Load.Tools;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>
/// Latencies read from h2load's <c>--log-file</c>, one tab-separated line per request:
/// <code>
/// start, µs since epoch   status (-1: stream failed)   µs until the end of the response
/// 1795749983551204        200                          575
/// </code>
/// Only 2xx answers count: a fast 503 or a reset stream must not improve the tail. Columns after
/// the third (h2load may add some) are ignored. Percentiles are nearest rank (<see cref="LatencyPercentiles"/>).
/// </summary>
/// <param name="Count">2xx requests in the log.</param>
/// <param name="P50Ms">Median latency of those, in milliseconds.</param>
/// <param name="P99Ms">99th percentile, in milliseconds.</param>
/// <param name="MeanMs">Mean, in milliseconds.</param>
internal sealed record H2loadLog(long Count, double P50Ms, double P99Ms, double MeanMs)
{
    public static H2loadLog ReadFile(string path)
    {
        using var reader = new StreamReader(path);
        return Read(reader);
    }

    /// <summary>Reads line by line and keeps only the latencies: 16 × 32 streams for 10 s is some 400,000 lines.</summary>
    public static H2loadLog Read(TextReader reader)
    {
        var micros = new List<double>();
        double sum = 0;
        int number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }
            (int status, long latency) = ParseLine(line, number);
            if (status is >= 200 and < 300)
            {
                micros.Add(latency);
                sum += latency;
            }
        }
        if (micros.Count == 0)
        {
            return new H2loadLog(0, 0, 0, 0);
        }
        Span<double> sorted = CollectionsMarshal.AsSpan(micros);
        sorted.Sort();
        return new H2loadLog(micros.Count, LatencyPercentiles.Of(sorted, 50) / 1000, LatencyPercentiles.Of(sorted, 99) / 1000, sum / micros.Count / 1000);
    }

    private static (int Status, long Micros) ParseLine(string line, int number)
    {
        ReadOnlySpan<char> rest = line;
        Span<Range> columns = stackalloc Range[4];
        int count = rest.Split(columns, '\t');
        if (count < 3
            || !int.TryParse(rest[columns[1]], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int status)
            || !long.TryParse(rest[columns[2]], NumberStyles.None, CultureInfo.InvariantCulture, out long micros))
        {
            throw new FormatException($"h2load log line {number} is not 'start<TAB>status<TAB>microseconds': {line}");
        }
        return (status, micros);
    }
}
