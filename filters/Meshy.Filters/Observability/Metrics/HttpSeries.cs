using Prometheus;

namespace Meshy.Filters.Observability.Metrics;

/// <summary>The four HTTP children of one label set (destination × status × flags), resolved once and reused.</summary>
internal sealed class HttpSeries(ObservabilityMetrics metrics, string[] labels)
{
    private readonly Counter.Child _requests = metrics.Requests.WithLabels(labels);
    private readonly Histogram.Child _duration = metrics.RequestDuration.WithLabels(labels);
    private readonly Histogram.Child _requestBytes = metrics.RequestBytes.WithLabels(labels);
    private readonly Histogram.Child _responseBytes = metrics.ResponseBytes.WithLabels(labels);

    /// <summary>Records one completed exchange.</summary>
    public void Record(double durationMilliseconds, long requestBytes, long responseBytes)
    {
        _requests.Inc();
        _duration.Observe(durationMilliseconds);
        _requestBytes.Observe(requestBytes);
        _responseBytes.Observe(responseBytes);
    }
}
