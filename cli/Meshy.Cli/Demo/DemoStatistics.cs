namespace Meshy.Cli.Demo;

/// <summary>The numbers the tour's checks use.</summary>
internal static class DemoStatistics
{
    /// <summary>
    /// The range a Binomial(<paramref name="trials"/>, <paramref name="share"/>) count falls in except with
    /// negligible probability: the mean ± 6 standard deviations. A correct proxy stays inside; a split
    /// that ignores the weights does not.
    /// </summary>
    public static (int Low, int High) Bounds(int trials, double share)
    {
        double mean = trials * share;
        double spread = 6 * Math.Sqrt(trials * share * (1 - share));
        return ((int)Math.Max(0, Math.Floor(mean - spread)), (int)Math.Min(trials, Math.Ceiling(mean + spread)));
    }

    /// <summary>The <paramref name="quantile"/> (0–1) of <paramref name="latencies"/>, nearest rank, in milliseconds.</summary>
    public static double Percentile(IEnumerable<TimeSpan> latencies, double quantile)
    {
        double[] sorted = [.. latencies.Select(l => l.TotalMilliseconds).Order()];
        if (sorted.Length == 0)
        {
            return 0;
        }
        int rank = (int)Math.Ceiling(quantile * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
