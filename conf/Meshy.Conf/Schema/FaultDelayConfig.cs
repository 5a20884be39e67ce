namespace Meshy.Conf.Schema;

/// <summary><c>fault.delay = { percent, fixed }</c>: hold a share of requests before proxying (flag <c>DI</c>).</summary>
public sealed record FaultDelayConfig
{
    /// <summary><c>percent</c>: share of requests delayed, 0–100, decimals allowed. Required.</summary>
    public required double Percent { get; init; }

    /// <summary><c>fixed</c>: how long. Required; range 0s–1h.</summary>
    public required TimeSpan Fixed { get; init; }
}
