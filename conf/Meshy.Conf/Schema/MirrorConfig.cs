namespace Meshy.Conf.Schema;

/// <summary>
/// <c>mirror = { cluster, subset, percent }</c>: fire-and-forget copies of requests; the copy's Host gets
/// <c>-shadow</c> appended and its answer is dropped.
/// </summary>
public sealed record MirrorConfig
{
    /// <summary><c>cluster</c>: where copies go. Required.</summary>
    public required string Cluster { get; init; }

    /// <summary><c>subset</c>: a subset of that cluster; none means the whole cluster.</summary>
    public string? Subset { get; init; }

    /// <summary><c>percent</c>: share of requests copied, 0–100, decimals allowed. Default 100.</summary>
    public double Percent { get; init; } = 100;
}
