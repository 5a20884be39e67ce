namespace Meshy.Conf.Schema;

/// <summary>
/// <c>clusters[].limits</c>: Envoy's circuit-breaker thresholds. Past any one, a request fails at once
/// with 503 and flag <c>UO</c>; nothing queues forever.
/// </summary>
public sealed record LimitsConfig
{
    /// <summary>The defaults: 1024 connections, 1024 pending, 1024 requests, 3 retries.</summary>
    public static LimitsConfig Default { get; } = new();

    /// <summary><c>max_connections</c>: upstream connections to the cluster. Default 1024, range 1–2 147 483 647.</summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary>
    /// <c>max_pending_requests</c>: requests waiting for an HTTP/1.1 connection when none is free and none may
    /// be opened. Default 1024, range 0–2 147 483 647 (0: never wait).
    /// </summary>
    public int MaxPendingRequests { get; init; } = 1024;

    /// <summary><c>max_requests</c>: requests in flight to the cluster, both HTTP versions. Default 1024, range 1–2 147 483 647.</summary>
    public int MaxRequests { get; init; } = 1024;

    /// <summary><c>max_retries</c>: retries in flight to the cluster. Default 3, range 0–2 147 483 647.</summary>
    public int MaxRetries { get; init; } = 3;
}
