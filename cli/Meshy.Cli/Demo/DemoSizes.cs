namespace Meshy.Cli.Demo;

/// <summary>How many requests each tour step sends: the full tour, or the short one of <c>--short</c> (tests).</summary>
internal sealed record DemoSizes
{
    public required int AllToV1 { get; init; }

    public required int SteeringPerAgent { get; init; }

    public required int Migration { get; init; }

    public required int AfterMigration { get; init; }

    public required int Latency { get; init; }

    public required int Abort { get; init; }

    public required int Mirror { get; init; }

    /// <summary>Requests sent at once against the slowed backend.</summary>
    public required int Burst { get; init; }

    /// <summary>Requests in each half (before and after ejection) of the outlier step.</summary>
    public required int Outlier { get; init; }

    /// <summary>Requests in flight at once in the steps that measure shares and latency.</summary>
    public int Concurrency { get; init; } = 8;

    public static DemoSizes Full { get; } = new()
    {
        AllToV1 = 100, SteeringPerAgent = 20, Migration = 1000, AfterMigration = 100, Latency = 200, Abort = 1000, Mirror = 100, Burst = 20, Outlier = 50,
    };

    public static DemoSizes Short { get; } = new()
    {
        AllToV1 = 20, SteeringPerAgent = 10, Migration = 200, AfterMigration = 20, Latency = 80, Abort = 200, Mirror = 20, Burst = 8, Outlier = 20,
    };
}
