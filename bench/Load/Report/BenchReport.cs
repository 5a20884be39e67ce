namespace Meshy.Bench.Load.Report;

/// <summary>A whole <c>load</c> run as recorded; the JSON file is this record.</summary>
internal sealed record BenchReport
{
    /// <summary>Bumped when a field changes meaning.</summary>
    public int Schema { get; init; } = 1;

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset FinishedAt { get; init; }

    /// <summary>True when the run was stopped early (Ctrl-C): the report holds what was measured.</summary>
    public bool Interrupted { get; init; }

    public required MachineInfo Machine { get; init; }

    public required RunSettings Settings { get; init; }

    public IReadOnlyList<ToolInfo> Tools { get; init; } = [];

    public IReadOnlyList<ScenarioResult> Scenarios { get; init; } = [];
}
