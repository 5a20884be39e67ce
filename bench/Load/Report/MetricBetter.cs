namespace Meshy.Bench.Load.Report;

/// <summary>Which direction of a metric is good for the proxy that has it.</summary>
internal enum MetricBetter
{
    Higher,
    Lower,
}
