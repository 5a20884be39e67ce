namespace Meshy.Engine.Pipeline;

/// <summary>Envoy's response flags; printed as their short codes, comma-separated, <c>-</c> when none.</summary>
[Flags]
public enum ResponseFlags
{
    None = 0,
    /// <summary>UF: upstream connection failure.</summary>
    UpstreamConnectionFailure = 1 << 0,
    /// <summary>UH: no healthy upstream.</summary>
    NoHealthyUpstream = 1 << 1,
    /// <summary>UO: upstream overflow (circuit breaker).</summary>
    UpstreamOverflow = 1 << 2,
    /// <summary>UT: upstream request timeout.</summary>
    UpstreamRequestTimeout = 1 << 3,
    /// <summary>UC: upstream connection termination.</summary>
    UpstreamConnectionTermination = 1 << 4,
    /// <summary>UR: upstream remote reset.</summary>
    UpstreamRemoteReset = 1 << 5,
    /// <summary>NR: no route configured.</summary>
    NoRouteFound = 1 << 6,
    /// <summary>DI: the request was delayed by fault injection.</summary>
    DelayInjected = 1 << 7,
    /// <summary>FI: the request was aborted by fault injection.</summary>
    FaultInjected = 1 << 8,
    /// <summary>DC: downstream connection termination.</summary>
    DownstreamConnectionTermination = 1 << 9,
    /// <summary>DPE: the downstream request had an HTTP protocol error (rejected by the codec: 400, 414, 431, 505).</summary>
    DownstreamProtocolError = 1 << 10,
}
