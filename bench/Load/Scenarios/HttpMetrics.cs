using Meshy.Bench.Load.Report;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>Metric keys and definitions shared by the HTTP scenarios.</summary>
internal static class HttpMetrics
{
    public const string RequestsPerSecond = "rps";
    public const string P50 = "p50_ms";
    public const string P99 = "p99_ms";
    public const string P999 = "p999_ms";
    public const string Mean = "mean_ms";
    public const string Errors = "errors";
    public const string Gen0 = "gen0_per_100k";

    public static readonly MetricDefinition Rps = new(RequestsPerSecond, "requests", "req/s", MetricBetter.Higher, MetricKind.Throughput, Chart: true);

    /// <summary>Latency percentiles of the load scenarios (wrk, h2load); <c>http1-latency</c> charts its own.</summary>
    public static readonly MetricDefinition P50Latency = new(P50, "p50 latency", "ms", MetricBetter.Lower, MetricKind.Latency, Chart: false);

    public static readonly MetricDefinition P99Latency = new(P99, "p99 latency", "ms", MetricBetter.Lower, MetricKind.Latency, Chart: false);

    /// <summary>CPU is reported per 100,000 requests: seconds per request would be unreadably small.</summary>
    public static readonly CpuMetricSet Cpu = CpuMetricSet.Per100kRequests;

    public static readonly MetricDefinition PeakRss = new(CostMetrics.PeakRss, "peak RSS", "MiB", MetricBetter.Lower, MetricKind.Cost, Chart: false);
    /// <summary>Meshy's gen0 collections per 100,000 requests over the measured run (its admin endpoint reports them; peers do not).</summary>
    public static readonly MetricDefinition Gen0Collections = new(Gen0, "gen0 GCs", "/100k req", MetricBetter.Lower, MetricKind.Cost, Chart: false);

    public static readonly MetricDefinition ErrorCount = new(Errors, "errors", "", MetricBetter.Lower, MetricKind.Info, Chart: false);

    public static string CpuExplanation => Cpu.Explanation("100k requests");
}
