namespace Meshy.Engine.Upstream.CircuitBreaking;

/// <summary>
/// The circuit-breaker state of one cluster (Envoy's per-cluster thresholds): HTTP requests in flight
/// (<c>limits.max_requests</c>), retries in flight (<c>limits.max_retries</c>) and how often each limit
/// overflowed. Kept by cluster name in the <see cref="CircuitBreakerRegistry"/>, so it survives reloads;
/// the limits themselves come from the snapshot of each request, so a new value applies from the next one.
/// </summary>
/// <remarks>
/// The counts are exact under concurrency: a slot is taken by compare-and-swap only while the count is
/// below the limit, so the limit is never exceeded, not even briefly. Overflow counters are plain longs
/// read at scrape time (<c>meshy_circuit_breaker_overflows_total</c>).
/// </remarks>
public sealed class ClusterCircuitBreaker(string cluster)
{
    private readonly long[] _overflows = new long[CircuitBreakerLimits.All.Length];
    private int _requests;
    private int _retries;

    /// <summary>The cluster's name.</summary>
    public string Cluster { get; } = cluster;

    /// <summary>HTTP requests in flight to the cluster now (each holds a slot from routing to the end of its upstream exchange).</summary>
    public int RequestsInFlight => Volatile.Read(ref _requests);

    /// <summary>Retries in flight to the cluster now.</summary>
    public int RetriesInFlight => Volatile.Read(ref _retries);

    /// <summary>Takes a request slot when fewer than <paramref name="max"/> are taken; otherwise counts a <c>max_requests</c> overflow.</summary>
    public bool TryEnterRequest(int max)
    {
        if (TryEnter(ref _requests, max))
        {
            return true;
        }
        CountOverflow(CircuitBreakerLimit.MaxRequests);
        return false;
    }

    /// <summary>Gives a request slot back.</summary>
    public void ExitRequest() => Interlocked.Decrement(ref _requests);

    /// <summary>Takes a retry slot when fewer than <paramref name="max"/> are taken; otherwise counts a <c>max_retries</c> overflow.</summary>
    public bool TryEnterRetry(int max)
    {
        if (TryEnter(ref _retries, max))
        {
            return true;
        }
        CountOverflow(CircuitBreakerLimit.MaxRetries);
        return false;
    }

    /// <summary>Gives a retry slot back.</summary>
    public void ExitRetry() => Interlocked.Decrement(ref _retries);

    /// <summary>Counts one overflow of <paramref name="limit"/> (where it happened: the pool, the router).</summary>
    public void CountOverflow(CircuitBreakerLimit limit) => Interlocked.Increment(ref _overflows[(int)limit]);

    /// <summary>Overflows of <paramref name="limit"/> since the process started.</summary>
    public long Overflows(CircuitBreakerLimit limit) => Volatile.Read(ref _overflows[(int)limit]);

    private static bool TryEnter(ref int count, int max)
    {
        while (true)
        {
            int current = Volatile.Read(ref count);
            if (current >= max)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref count, current + 1, current) == current)
            {
                return true;
            }
        }
    }
}
