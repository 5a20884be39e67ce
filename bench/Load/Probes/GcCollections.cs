using System.Globalization;
using System.Net;
using Meshy.Bench.Load.Proxies;

namespace Meshy.Bench.Load.Probes;

/// <summary>
/// The proxy's gen0 garbage collections so far, from its admin endpoint's Prometheus text (prometheus-net's
/// <c>dotnet_collection_count_total</c>): compared across a run, they show allocation under load, which the
/// micro-benchmarks' MemoryDiagnoser cannot (pool misses, per-connection state, paths only real traffic takes).
/// </summary>
internal static class GcCollections
{
    private const string Gen0Series = "dotnet_collection_count_total{generation=\"0\"}";

    /// <summary>The count now; null when the admin endpoint does not answer or does not report it.</summary>
    public static async Task<long?> Gen0Async(IPEndPoint admin, CancellationToken cancellationToken) =>
        await HttpProbe.TryGetAsync(admin, "/metrics", TimeSpan.FromSeconds(5), cancellationToken) is (200, string body) ? ReadGen0(body) : null;

    /// <summary>The gen0 count in Prometheus text, or null when the series is not there.</summary>
    public static long? ReadGen0(string metrics)
    {
        foreach (string line in metrics.Split('\n'))
        {
            if (line.StartsWith(Gen0Series, StringComparison.Ordinal)
                && double.TryParse(line.AsSpan(Gen0Series.Length).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                return (long)value;
            }
        }
        return null;
    }
}
