namespace Meshy.Engine.Upstream;

/// <summary>
/// The live state of one endpoint of one cluster. It outlives snapshots: a reload that keeps the
/// endpoint keeps this object, so counters, health, ejections and pooled connections survive.
/// </summary>
public sealed class EndpointState(string clusterName, string address)
{
    private long _activeRequests;
    private long _totalRequests;
    private long _activeConnections;
    private volatile bool _healthy = true;
    private long _ejectedUntilTicks;

    /// <summary>The cluster this endpoint belongs to.</summary>
    public string ClusterName { get; } = clusterName;

    /// <summary>The endpoint's address as configured (<c>host:port</c>).</summary>
    public string Address { get; } = address;

    /// <summary>Requests (or TCP sessions) in flight to this endpoint.</summary>
    public long ActiveRequests => Volatile.Read(ref _activeRequests);

    /// <summary>Requests (or TCP sessions) ever started to this endpoint.</summary>
    public long TotalRequests => Volatile.Read(ref _totalRequests);

    /// <summary>Open upstream connections to this endpoint.</summary>
    public long ActiveConnections => Volatile.Read(ref _activeConnections);

    /// <summary>Active health checking's verdict; new endpoints start healthy.</summary>
    public bool Healthy
    {
        get => _healthy;
        set => _healthy = value;
    }

    /// <summary>Until when outlier detection keeps this endpoint out (UTC ticks; 0 when not ejected).</summary>
    public long EjectedUntilTicks
    {
        get => Volatile.Read(ref _ejectedUntilTicks);
        set => Volatile.Write(ref _ejectedUntilTicks, value);
    }

    /// <summary>True when the endpoint may take traffic at <paramref name="nowTicks"/>.</summary>
    public bool IsAvailable(long nowTicks) => _healthy && Volatile.Read(ref _ejectedUntilTicks) <= nowTicks;

    /// <summary>Counts a request or session starting.</summary>
    public void RequestStarted()
    {
        Interlocked.Increment(ref _activeRequests);
        Interlocked.Increment(ref _totalRequests);
    }

    /// <summary>Counts a request or session ending.</summary>
    public void RequestFinished() => Interlocked.Decrement(ref _activeRequests);

    /// <summary>Counts an upstream connection opening.</summary>
    public void ConnectionOpened() => Interlocked.Increment(ref _activeConnections);

    /// <summary>Counts an upstream connection closing.</summary>
    public void ConnectionClosed() => Interlocked.Decrement(ref _activeConnections);
}
