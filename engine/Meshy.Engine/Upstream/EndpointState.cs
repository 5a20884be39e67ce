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
    private int _consecutive5xx;
    private int _consecutiveGatewayErrors;
    private int _ejectionMultiplier;
    private long _timesEjected;

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

    /// <summary>5xx answers and gateway failures in a row (outlier detection); a success resets it.</summary>
    public int Consecutive5xx => Volatile.Read(ref _consecutive5xx);

    /// <summary>502/503/504 answers and gateway failures in a row (outlier detection); any other answer resets it.</summary>
    public int ConsecutiveGatewayErrors => Volatile.Read(ref _consecutiveGatewayErrors);

    /// <summary>
    /// The ejection multiplier: the next ejection lasts <c>base_ejection_time</c> × (this + 1). Grows by one per
    /// ejection and shrinks by one per <c>interval</c> the endpoint spends in service.
    /// </summary>
    public int EjectionMultiplier => Volatile.Read(ref _ejectionMultiplier);

    /// <summary>Ejections of this endpoint since it was first configured.</summary>
    public long TimesEjected => Volatile.Read(ref _timesEjected);

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

    /// <summary>Counts a 5xx (or gateway failure) in a row; returns the run's length.</summary>
    internal int AddConsecutive5xx() => Interlocked.Increment(ref _consecutive5xx);

    /// <summary>Counts a gateway error in a row; returns the run's length.</summary>
    internal int AddConsecutiveGatewayError() => Interlocked.Increment(ref _consecutiveGatewayErrors);

    /// <summary>Ends a run of gateway errors (a 5xx that is not one).</summary>
    internal void ResetConsecutiveGatewayErrors()
    {
        if (Volatile.Read(ref _consecutiveGatewayErrors) != 0)
        {
            Volatile.Write(ref _consecutiveGatewayErrors, 0);
        }
    }

    /// <summary>Ends both runs (a success). Reads first, so the common case writes nothing shared.</summary>
    internal void ResetConsecutiveFailures()
    {
        if (Volatile.Read(ref _consecutive5xx) != 0)
        {
            Volatile.Write(ref _consecutive5xx, 0);
        }
        ResetConsecutiveGatewayErrors();
    }

    /// <summary>Ejects until <paramref name="untilTicks"/>: the multiplier and the count grow, the runs start over. Returns the new multiplier.</summary>
    internal int Eject(long untilTicks)
    {
        int multiplier = Interlocked.Increment(ref _ejectionMultiplier);
        Interlocked.Increment(ref _timesEjected);
        Volatile.Write(ref _consecutive5xx, 0);
        Volatile.Write(ref _consecutiveGatewayErrors, 0);
        Volatile.Write(ref _ejectedUntilTicks, untilTicks);
        return multiplier;
    }

    /// <summary>Back in service after an ejection (the review saw its time pass).</summary>
    internal void Return()
    {
        Volatile.Write(ref _consecutive5xx, 0);
        Volatile.Write(ref _consecutiveGatewayErrors, 0);
        Volatile.Write(ref _ejectedUntilTicks, 0);
    }

    /// <summary>One interval in service: the next ejection will be shorter.</summary>
    internal void DecayEjectionMultiplier()
    {
        if (Volatile.Read(ref _ejectionMultiplier) > 0)
        {
            Interlocked.Decrement(ref _ejectionMultiplier);
        }
    }

    /// <summary>Counts an upstream connection opening.</summary>
    public void ConnectionOpened() => Interlocked.Increment(ref _activeConnections);

    /// <summary>Counts an upstream connection closing.</summary>
    public void ConnectionClosed() => Interlocked.Decrement(ref _activeConnections);
}
