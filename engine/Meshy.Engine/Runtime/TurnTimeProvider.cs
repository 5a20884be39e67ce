namespace Meshy.Engine.Runtime;

/// <summary>
/// The system's clock and timers, with the time read once per engine turn (<see cref="TurnClock"/>): the
/// <see cref="TimeProvider"/> the proxy runs on.
/// </summary>
public sealed class TurnTimeProvider : TimeProvider
{
    /// <summary>The one instance.</summary>
    public static TurnTimeProvider Instance { get; } = new();

    private TurnTimeProvider()
    {
    }

    public override long GetTimestamp() => TurnClock.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => TurnClock.GetUtcNow();
}
