using System.Collections.Concurrent;
using Meshy.Engine.Pipeline;

namespace Meshy.Filters.Observability.Metrics;

/// <summary>
/// The HTTP series of one destination (reporter, cluster, version): one <see cref="HttpSeries"/> per
/// status × gRPC status × response-flags combination, created on first use and then found without allocating.
/// </summary>
internal sealed class HttpSeriesSet(ObservabilityMetrics metrics, string[] prefix)
{
    private readonly ConcurrentDictionary<int, HttpSeries> _outcomes = new();

    /// <summary>The destination label values (see <see cref="MetricLabels.Destination"/>).</summary>
    public string[] Prefix => prefix;

    /// <summary>
    /// The series of <paramref name="status"/> with <paramref name="flags"/>; <paramref name="grpcStatus"/> is
    /// <c>grpc_response_status</c> (-1: none, an empty label).
    /// </summary>
    public HttpSeries Get(int status, ResponseFlags flags, int grpcStatus = -1)
    {
        // Status fits 10 bits (0–999; anything else is clamped into the key only, the label keeps it), the
        // flags the next 16, the gRPC status (0–16, or none) the 5 above them.
        int key = Math.Clamp(status, 0, 1023) | ((int)flags << 10) | (Math.Clamp(grpcStatus + 1, 0, 31) << 26);
        if (_outcomes.TryGetValue(key, out HttpSeries? series))
        {
            return series;
        }
        return _outcomes.GetOrAdd(key, static (_, state) => state.Set.Create(state.Status, state.Flags, state.GrpcStatus),
            (Set: this, Status: status, Flags: flags, GrpcStatus: grpcStatus));
    }

    private HttpSeries Create(int status, ResponseFlags flags, int grpcStatus)
    {
        string grpc = grpcStatus >= 0 ? MetricLabels.StatusCode(grpcStatus) : string.Empty;
        string[] labels = [.. prefix, MetricLabels.StatusCode(status), grpc, ResponseFlagsFormat.ToCodes(flags)];
        return new HttpSeries(metrics, labels);
    }
}
