namespace Meshy.Conf.Schema;

/// <summary><c>fault</c>: fault injection; delay first, then abort, each drawn independently per request.</summary>
public sealed record FaultConfig
{
    /// <summary><c>fault.delay</c>: none when absent.</summary>
    public FaultDelayConfig? Delay { get; init; }

    /// <summary><c>fault.abort</c>: none when absent.</summary>
    public FaultAbortConfig? Abort { get; init; }
}
