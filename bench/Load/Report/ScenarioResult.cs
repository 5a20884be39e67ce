namespace Meshy.Bench.Load.Report;

/// <summary>Everything recorded for one scenario: the raw material of every report.</summary>
internal sealed record ScenarioResult
{
    /// <summary>Scenario name as given to <c>--scenario</c>: <c>tcp</c>, <c>http1-small</c>.</summary>
    public required string Name { get; init; }

    public required string Title { get; init; }

    public required string Description { get; init; }

    /// <summary>The proxy the ratios are about (<c>meshy</c>).</summary>
    public required string Subject { get; init; }

    /// <summary>Every proxy of the run in alternation order, subject first.</summary>
    public required IReadOnlyList<string> Proxies { get; init; }

    /// <summary>Proxies that are not proxies (<c>direct</c>): no cost ratios against them.</summary>
    public IReadOnlyList<string> Baselines { get; init; } = [];

    public required IReadOnlyList<MetricDefinition> Metrics { get; init; }

    public IReadOnlyList<RunSample> Runs { get; init; } = [];

    public IReadOnlyList<SkippedProxy> Skipped { get; init; } = [];

    /// <summary>
    /// Another scenario of the same run that this one varies (<c>http1-small</c> for
    /// <c>http1-observed</c>): the ratios then get a row comparing the subject with itself there.
    /// </summary>
    public string? Reference { get; init; }

    /// <summary>
    /// The proxies of each round ran at the same time (<c>--paired</c>): each round met one host speed, so a ratio
    /// is the median of the rounds' own ratios rather than a ratio of medians.
    /// </summary>
    public bool Paired { get; init; }

    /// <summary>Set when the whole scenario did not run (load tool missing, upstream failed to start).</summary>
    public string? SkipReason { get; init; }
}
