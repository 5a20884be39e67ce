namespace Meshy.Filters.Observability.Metrics;

/// <summary>Istio's default histogram bucket boundaries, so dashboards' <c>histogram_quantile</c> read the same.</summary>
internal static class IstioBuckets
{
    /// <summary><c>istio_request_duration_milliseconds</c>: Istio's default duration buckets, in milliseconds.</summary>
    public static readonly double[] DurationMilliseconds =
    [
        0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
    ];

    /// <summary><c>istio_request_bytes</c> and <c>istio_response_bytes</c>: powers of ten from 1 B to 1 GB.</summary>
    public static readonly double[] Bytes =
    [
        1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
    ];
}
