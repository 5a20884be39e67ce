namespace Meshy.Bench.Load.Report;

/// <summary>One column of a scenario's results.</summary>
/// <param name="Key">Key in <see cref="RunSample.Metrics"/>: <c>throughput</c>, <c>cpu_per_gb</c>.</param>
/// <param name="Label">Column title: <c>throughput</c>, <c>CPU core</c>.</param>
/// <param name="Unit">Unit of the stored value: <c>MB/s</c>, <c>s/GB</c>, <c>MiB</c>.</param>
/// <param name="Better">Which direction is good.</param>
/// <param name="Kind">Decides which ratios are meaningful.</param>
/// <param name="Chart">Drawn as a bar chart in the HTML report.</param>
/// <param name="ExcessOverBaselineOf">
/// Set on a derived metric (<c>added p99</c>): the key of the measured metric it is the excess of,
/// a proxy's value minus the baseline's (<c>direct</c>) in the same round. Not recorded in runs;
/// <see cref="ReportBuilder"/> computes it, so a recorded JSON file renders it too.
/// </param>
internal sealed record MetricDefinition(string Key, string Label, string Unit, MetricBetter Better, MetricKind Kind, bool Chart, string? ExcessOverBaselineOf = null);
