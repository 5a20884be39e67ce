using System.Collections.Concurrent;
using Meshy.Engine.Pipeline;
using Prometheus;

namespace Meshy.Filters.Observability.Metrics;

/// <summary>The TCP children of one destination (reporter, cluster, version); closed sessions by response flags.</summary>
internal sealed class TcpSeriesSet(ObservabilityMetrics metrics, string[] prefix)
{
    private readonly ConcurrentDictionary<ResponseFlags, Counter.Child> _closed = new();
    private Counter.Child? _opened;
    private Counter.Child? _sent;
    private Counter.Child? _received;

    /// <summary>Counts an opened session.</summary>
    public void Opened() => (_opened ??= metrics.TcpOpened.WithLabels(prefix)).Inc();

    /// <summary>Counts a closed session and its bytes.</summary>
    public void Closed(ResponseFlags flags, long received, long sent)
    {
        // Children are created lazily (not per snapshot up front) so that destinations without traffic
        // publish no zero-valued series.
        (_received ??= metrics.TcpReceivedBytes.WithLabels(prefix)).Inc(received);
        (_sent ??= metrics.TcpSentBytes.WithLabels(prefix)).Inc(sent);
        if (!_closed.TryGetValue(flags, out Counter.Child? closed))
        {
            closed = _closed.GetOrAdd(flags, static (f, state) =>
                state.Metrics.TcpClosed.WithLabels([.. state.Prefix, ResponseFlagsFormat.ToCodes(f)]), (Metrics: metrics, Prefix: prefix));
        }
        closed.Inc();
    }
}
