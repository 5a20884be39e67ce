using System.Globalization;

namespace Meshy.Cli.Demo;

/// <summary>
/// The newcomer tour: eight steps, each a traffic-management feature shown with real requests through
/// the proxy. A step edits the config file (hot reload) and flips backend switches, measures, then puts
/// both back, so every step starts from the base config (all traffic to v1, iPhones to v3).
/// </summary>
internal sealed partial class DemoTour(DemoSession session, DemoSizes sizes, DemoProgress progress, TextWriter output)
{
    public const int StepCount = 8;

    /// <summary>The delay step: share of requests held and for how long.</summary>
    public const double DelayPercent = 80;
    public static readonly TimeSpan DelayFixed = TimeSpan.FromMilliseconds(200);

    /// <summary>The abort step: share of requests answered by the proxy, and the status.</summary>
    public const double AbortPercent = 30;
    public const int AbortStatus = 503;

    /// <summary>The circuit-breaking step: <c>limits.max_requests</c> and how slow v1 answers meanwhile.</summary>
    public const int MaxRequests = 2;
    public static readonly TimeSpan SlowBackend = TimeSpan.FromSeconds(1);

    /// <summary>The outlier step: <c>outlier_detection.consecutive_5xx</c>.</summary>
    public const int Consecutive5xx = 3;

    private const string IPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)";
    private const string Desktop = "Mozilla/5.0 (X11; Linux x86_64)";

    private readonly DemoTraffic _traffic = new(session.Proxy, progress);

    /// <summary>Runs every step in order, printing each as it finishes.</summary>
    public async Task<IReadOnlyList<DemoStepResult>> RunAsync(CancellationToken cancellationToken)
    {
        var steps = new List<DemoStepResult>();
        Func<CancellationToken, Task<DemoStepResult>>[] tour =
        [
            AllToV1Async, HeaderSteeringAsync, MigrationAsync, DelayAsync, AbortAsync, MirrorAsync, CircuitBreakingAsync, OutlierEjectionAsync,
        ];
        try
        {
            foreach (Func<CancellationToken, Task<DemoStepResult>> step in tour)
            {
                DemoStepResult result = await step(cancellationToken).ConfigureAwait(false);
                progress.Clear();
                DemoReport.PrintStep(output, result);
                steps.Add(result);
            }
        }
        finally
        {
            progress.Clear();
            _traffic.Dispose();
        }
        return steps;
    }

    private void Begin(int number, string title) => progress.Step(number, StepCount, title);

    /// <summary>Applies <paramref name="config"/>, runs <paramref name="body"/>, then heals the backends and reapplies the base config.</summary>
    private async Task<T> WithConfigAsync<T>(DemoConfig config, Func<Task<T>> body, CancellationToken cancellationToken)
    {
        await session.ApplyAsync(config, progress, cancellationToken).ConfigureAwait(false);
        try
        {
            return await body().ConfigureAwait(false);
        }
        finally
        {
            foreach (DemoBackend backend in session.Versions)
            {
                backend.Heal();
            }
            if (!cancellationToken.IsCancellationRequested)
            {
                await session.ApplyAsync(session.Base, progress, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Counts replies by outcome into a table row set (v1, v2, v3 always, then anything else seen, e.g.
    /// <c>503 proxy</c>) and into <paramref name="values"/> as <c>PREFIX.OUTCOME</c>.
    /// </summary>
    private static Dictionary<string, int> Count(IEnumerable<DemoReply> replies, string prefix, Dictionary<string, double> values)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal) { ["v1"] = 0, ["v2"] = 0, ["v3"] = 0 };
        foreach (DemoReply reply in replies)
        {
            counts[reply.Outcome] = counts.GetValueOrDefault(reply.Outcome) + 1;
        }
        foreach ((string outcome, int count) in counts)
        {
            values[$"{prefix}.{outcome}"] = count;
        }
        return counts;
    }

    private static DemoTable CountTable(string caption, Dictionary<string, int> counts)
    {
        int total = counts.Values.Sum();
        return new DemoTable(caption, ["ANSWERED BY", "REQUESTS", "SHARE"],
            [.. counts.Select(c => (IReadOnlyList<string>)[c.Key, Text(c.Value), Share(c.Value, total)])]);
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Share(long part, long total) => total == 0 ? "-" : Text(100.0 * part / total, "0.0") + " %";

    private static DemoCheck Within(int count, int trials, double share, string what)
    {
        (int low, int high) = DemoStatistics.Bounds(trials, share);
        return new DemoCheck(count >= low && count <= high,
            $"{what}: {count} of {trials}, expected {Text(share * 100, "0.#")} % (between {low} and {high})");
    }
}
