using System.Collections.Concurrent;
using Meshy.Engine.Pipeline;

namespace Meshy.Filters.Observability.Metrics;

/// <summary>
/// The HTTP series of one destination (reporter, cluster, version): one <see cref="HttpSeries"/> per
/// status × response-flags combination, created on first use and then found without allocating.
/// </summary>
internal sealed class HttpSeriesSet(ObservabilityMetrics metrics, string[] prefix)
{
    private readonly ConcurrentDictionary<int, HttpSeries> _outcomes = new();

    /// <summary>The destination label values (see <see cref="MetricLabels.Destination"/>).</summary>
    public string[] Prefix => prefix;

    /// <summary>The series of <paramref name="status"/> with <paramref name="flags"/>.</summary>
    public HttpSeries Get(int status, ResponseFlags flags)
    {
        // Status fits 10 bits (0–999; anything else is clamped into the key only, the label keeps it).
        int key = (Math.Clamp(status, 0, 1023)) | ((int)flags << 10);
        if (_outcomes.TryGetValue(key, out HttpSeries? series))
        {
            return series;
        }
        return _outcomes.GetOrAdd(key, static (_, state) => state.Set.Create(state.Status, state.Flags), (Set: this, Status: status, Flags: flags));
    }

    private HttpSeries Create(int status, ResponseFlags flags)
    {
        string[] labels = [.. prefix, MetricLabels.StatusCode(status), string.Empty, ResponseFlagsFormat.ToCodes(flags)];
        return new HttpSeries(metrics, labels);
    }
}
