using Meshy.Bench.Load.Probes;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>The cost figures every scenario reports the same way.</summary>
internal static class CostMetrics
{
    public const string PeakRss = "peak_rss";

    private const double MiB = 1024 * 1024;

    /// <summary>Adds the peak resident set (VmHWM summed over the proxy's processes) in MiB.</summary>
    public static void AddPeakRss(Dictionary<string, double> metrics, MemoryUsage? memory)
    {
        if (memory is not null)
        {
            metrics[PeakRss] = memory.PeakRss / MiB;
        }
    }

    public static double ToMiB(long bytes) => bytes / MiB;

    /// <summary>Adds the gen0 collections between two readings per 100,000 requests, when both readings exist.</summary>
    public static void AddGen0PerRequests(Dictionary<string, double> metrics, long? before, long? after, double requests)
    {
        if (before is { } start && after is { } end && requests > 0)
        {
            metrics[HttpMetrics.Gen0] = (end - start) * 100_000 / requests;
        }
    }
}
