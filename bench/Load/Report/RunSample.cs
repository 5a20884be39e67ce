namespace Meshy.Bench.Load.Report;

/// <summary>One measured run of one proxy in one round.</summary>
internal sealed record RunSample
{
    public required string Proxy { get; init; }

    /// <summary>1-based round number.</summary>
    public required int Round { get; init; }

    public required RunStatus Status { get; init; }

    /// <summary>Why the run failed, one line; null when <see cref="Status"/> is <see cref="RunStatus.Ok"/>.</summary>
    public string? Error { get; init; }

    /// <summary>Values by <see cref="MetricDefinition.Key"/>; a metric that does not apply is absent.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
}
