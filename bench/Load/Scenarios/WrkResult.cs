using System.Globalization;
using System.Text.RegularExpressions;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>The figures of a <c>wrk --latency</c> run, parsed from its text output.</summary>
/// <param name="Requests">Requests completed.</param>
/// <param name="Seconds">Measured duration.</param>
/// <param name="RequestsPerSecond">As wrk computes it.</param>
/// <param name="LatencyMs">Latency percentiles (50, 75, 90, 99) in milliseconds.</param>
/// <param name="Errors">Socket errors (connect, read, write, timeout) plus non-2xx/3xx responses.</param>
internal sealed partial record WrkResult(long Requests, double Seconds, double RequestsPerSecond, IReadOnlyDictionary<int, double> LatencyMs, long Errors)
{
    public static WrkResult Parse(string output)
    {
        Match total = TotalPattern().Match(output);
        Match rate = RatePattern().Match(output);
        if (!total.Success || !rate.Success)
        {
            throw new FormatException($"cannot read wrk's output: {output.ReplaceLineEndings(" ")}");
        }

        var latency = new Dictionary<int, double>();
        foreach (Match percentile in PercentilePattern().Matches(output))
        {
            latency[int.Parse(percentile.Groups[1].Value, CultureInfo.InvariantCulture)] =
                Milliseconds(percentile.Groups[2].Value, percentile.Groups[3].Value);
        }

        long errors = 0;
        if (SocketErrorsPattern().Match(output) is { Success: true } socket)
        {
            for (int group = 1; group <= 4; group++)
            {
                errors += long.Parse(socket.Groups[group].Value, CultureInfo.InvariantCulture);
            }
        }
        if (Non2xxPattern().Match(output) is { Success: true } non2xx)
        {
            errors += long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        return new WrkResult(
            long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture),
            Milliseconds(total.Groups[2].Value, total.Groups[3].Value) / 1000,
            double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture),
            latency,
            errors);
    }

    /// <summary>wrk prints durations as <c>812.00us</c>, <c>1.23ms</c>, <c>5.00s</c> or <c>1.02m</c>.</summary>
    private static double Milliseconds(string number, string unit)
    {
        double value = double.Parse(number, CultureInfo.InvariantCulture);
        return unit switch
        {
            "us" => value / 1000,
            "ms" => value,
            "s" => value * 1000,
            "m" => value * 60_000,
            "h" => value * 3_600_000,
            _ => throw new FormatException($"unknown wrk time unit '{unit}'"),
        };
    }

    [GeneratedRegex(@"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h),", RegexOptions.Multiline)]
    private static partial Regex TotalPattern();

    [GeneratedRegex(@"^Requests/sec:\s+([\d.]+)", RegexOptions.Multiline)]
    private static partial Regex RatePattern();

    [GeneratedRegex(@"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", RegexOptions.Multiline)]
    private static partial Regex PercentilePattern();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsPattern();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xxPattern();
}
