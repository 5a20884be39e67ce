namespace Meshy.Cli.Demo;

/// <summary>
/// What one tour step did and saw: the config it applied (in words), its tables, the numbers behind
/// them by name (tests read these, e.g. <c>split.v1</c>), and its checks.
/// </summary>
internal sealed record DemoStepResult
{
    public required int Number { get; init; }

    public required string Title { get; init; }

    /// <summary>The config change, as the TOML a user would write.</summary>
    public required string Change { get; init; }

    public required IReadOnlyList<DemoTable> Tables { get; init; }

    public required IReadOnlyDictionary<string, double> Values { get; init; }

    public required IReadOnlyList<DemoCheck> Checks { get; init; }

    public bool Passed => Checks.All(c => c.Passed);

    /// <summary>The value named <paramref name="name"/>; 0 when the step recorded none (a count that stayed zero).</summary>
    public double Value(string name) => Values.GetValueOrDefault(name);
}
