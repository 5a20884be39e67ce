namespace Meshy.Bench.Load.Tools;

/// <summary>Exact percentiles of recorded latencies (nearest rank): <c>http-rate</c> keeps every sample.</summary>
internal static class LatencyPercentiles
{
    /// <summary>
    /// The smallest value that at least <paramref name="percent"/>% of <paramref name="sorted"/> do not
    /// exceed: the nearest-rank definition, so p99.9 of 5,000 samples is the 4,995th, never an interpolation.
    /// </summary>
    public static double Of(ReadOnlySpan<double> sorted, double percent)
    {
        if (sorted.IsEmpty)
        {
            return 0;
        }
        // Rounded first: 99.9 / 100 × 1000 is 999.0000000000001 in binary, whose ceiling is one rank too far.
        int rank = (int)Math.Ceiling(Math.Round(percent / 100 * sorted.Length, 9));
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
