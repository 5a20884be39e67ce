namespace Meshy.Bench.Load.Report;

/// <summary>One column of a scenario's results.</summary>
/// <param name="Key">Key in <see cref="RunSample.Metrics"/>: <c>throughput</c>, <c>cpu_per_gb</c>.</param>
/// <param name="Label">Column title: <c>throughput</c>, <c>CPU core</c>.</param>
/// <param name="Unit">Unit of the stored value: <c>MB/s</c>, <c>s/GB</c>, <c>MiB</c>.</param>
/// <param name="Better">Which direction is good.</param>
/// <param name="Kind">Decides which ratios are meaningful.</param>
/// <param name="Chart">Drawn as a bar chart in the HTML report.</param>
internal sealed record MetricDefinition(string Key, string Label, string Unit, MetricBetter Better, MetricKind Kind, bool Chart);
