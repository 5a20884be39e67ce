namespace Meshy.Bench.Load.Report;

/// <summary>The options a report was produced with.</summary>
internal sealed record RunSettings
{
    public required string Duration { get; init; }

    public required string Warmup { get; init; }

    public required int Rounds { get; init; }

    public required int ProxyCpu { get; init; }

    public required int LoadCpu { get; init; }

    /// <summary>Free-form settings worth keeping: connections, idle connections, Meshy path.</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();
}
