namespace Meshy.Engine.Upstream.CircuitBreaking;

/// <summary>The circuit-breaker thresholds of <c>clusters[].limits</c>; the <c>limit</c> label of <c>meshy_circuit_breaker_overflows_total</c>.</summary>
public enum CircuitBreakerLimit
{
    /// <summary><c>max_connections</c>: a new upstream connection was needed and the cluster had its maximum open.</summary>
    MaxConnections,
    /// <summary><c>max_pending_requests</c>: a request found no connection and the pending queue full (503 <c>UO</c>).</summary>
    MaxPendingRequests,
    /// <summary><c>max_requests</c>: the cluster had its maximum of requests in flight (503 <c>UO</c>).</summary>
    MaxRequests,
    /// <summary><c>max_retries</c>: a retry was refused because the cluster had its maximum of retries in flight.</summary>
    MaxRetries,
}
