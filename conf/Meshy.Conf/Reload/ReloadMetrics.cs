using Prometheus;

namespace Meshy.Conf.Reload;

/// <summary><c>meshy_config_reloads_total{result}</c>: every load after the first, by outcome.</summary>
internal static class ReloadMetrics
{
    private static readonly Counter Reloads = Metrics.CreateCounter(
        "meshy_config_reloads_total",
        "Configuration reloads by result (success or failure).",
        new CounterConfiguration { LabelNames = ["result"] });

    public static readonly Counter.Child Success = Reloads.WithLabels("success");
    public static readonly Counter.Child Failure = Reloads.WithLabels("failure");
}
