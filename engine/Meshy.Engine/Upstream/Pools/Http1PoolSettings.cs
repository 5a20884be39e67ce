namespace Meshy.Engine.Upstream.Pools;

/// <summary>The cluster settings an HTTP/1.1 pool works with; compiled per cluster per snapshot.</summary>
public sealed record Http1PoolSettings
{
    /// <summary>The defaults of a cluster with no explicit settings.</summary>
    public static Http1PoolSettings Default { get; } = new();

    /// <summary><c>limits.max_connections</c>: open connections to the whole cluster. Default 1024.</summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary><c>limits.max_pending_requests</c>: requests that may wait for a connection. Default 1024; 0: never wait.</summary>
    public int MaxPendingRequests { get; init; } = 1024;

    /// <summary><c>idle_timeout</c>: an idle pooled connection older than this is closed. Default 60s.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>max_idle_per_endpoint</c>: idle connections kept per endpoint. Default 1024; 0 closes after each request.</summary>
    public int MaxIdlePerEndpoint { get; init; } = 1024;

    /// <summary><c>connect_timeout</c>.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(1);
}
