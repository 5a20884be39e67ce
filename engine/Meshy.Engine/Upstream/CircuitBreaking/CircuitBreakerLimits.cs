namespace Meshy.Engine.Upstream.CircuitBreaking;

/// <summary>Names and enumeration of <see cref="CircuitBreakerLimit"/>, allocated once.</summary>
public static class CircuitBreakerLimits
{
    /// <summary>Every limit, in declaration order.</summary>
    public static readonly CircuitBreakerLimit[] All =
    [
        CircuitBreakerLimit.MaxConnections,
        CircuitBreakerLimit.MaxPendingRequests,
        CircuitBreakerLimit.MaxRequests,
        CircuitBreakerLimit.MaxRetries,
    ];

    /// <summary>The config key of <paramref name="limit"/>: the metric label and the admin JSON name.</summary>
    public static string Name(CircuitBreakerLimit limit) => limit switch
    {
        CircuitBreakerLimit.MaxConnections => "max_connections",
        CircuitBreakerLimit.MaxPendingRequests => "max_pending_requests",
        CircuitBreakerLimit.MaxRequests => "max_requests",
        CircuitBreakerLimit.MaxRetries => "max_retries",
        _ => throw new ArgumentOutOfRangeException(nameof(limit), limit, null),
    };
}
