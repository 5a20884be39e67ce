using System.Globalization;
using System.Text.RegularExpressions;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>
/// The summary of an <c>h2load</c> run. Its latency lines give no percentiles; those come from its
/// per-request log (<see cref="H2loadLog"/>).
/// </summary>
/// <param name="Succeeded">Requests answered with 2xx or 3xx.</param>
/// <param name="Seconds">Measured duration.</param>
/// <param name="RequestsPerSecond">As h2load computes it.</param>
/// <param name="Errors">Requests failed, errored or timed out, plus non-2xx/3xx answers.</param>
internal sealed partial record H2loadResult(long Succeeded, double Seconds, double RequestsPerSecond, long Errors)
{
    public static H2loadResult Parse(string output)
    {
        Match finished = FinishedPattern().Match(output);
        Match requests = RequestsPattern().Match(output);
        Match codes = StatusPattern().Match(output);
        if (!finished.Success || !requests.Success)
        {
            throw new FormatException($"cannot read h2load's output: {output.ReplaceLineEndings(" ")}");
        }
        long Group(Match match, int group) => long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

        long succeeded = Group(requests, 1);
        long errors = Group(requests, 2) + Group(requests, 3) + Group(requests, 4);
        if (codes.Success)
        {
            // "status codes: N 2xx, N 3xx, N 4xx, N 5xx": h2load counts a 502 as "succeeded".
            errors += Group(codes, 3) + Group(codes, 4);
            succeeded = Group(codes, 1) + Group(codes, 2);
        }
        return new H2loadResult(
            succeeded,
            Milliseconds(finished.Groups[1].Value, finished.Groups[2].Value) / 1000,
            double.Parse(finished.Groups[3].Value, CultureInfo.InvariantCulture),
            errors);
    }

    private static double Milliseconds(string number, string unit)
    {
        double value = double.Parse(number, CultureInfo.InvariantCulture);
        return unit switch
        {
            "us" => value / 1000,
            "ms" => value,
            "s" => value * 1000,
            _ => throw new FormatException($"unknown h2load time unit '{unit}'"),
        };
    }

    [GeneratedRegex(@"finished in ([\d.]+)(us|ms|s), ([\d.]+) req/s")]
    private static partial Regex FinishedPattern();

    [GeneratedRegex(@"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout")]
    private static partial Regex RequestsPattern();

    [GeneratedRegex(@"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx")]
    private static partial Regex StatusPattern();
}
