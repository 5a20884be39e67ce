using Meshy.Engine.Upstream.CircuitBreaking;
using Meshy.Engine.Upstream.Pools;

namespace Meshy.Filters.TcpProxy;

/// <summary>
/// The cluster's <c>limits.max_connections</c> for TCP proxy sessions: each session's upstream connection
/// takes a slot of the same per-cluster count the HTTP/1.1 pools use, so the limit covers every upstream
/// connection to the cluster whatever carries it. A session past the limit is refused (<c>UO</c>) and counted.
/// </summary>
internal sealed class TcpConnectionLimit(ClusterConnectionBudget budget, int maxConnections, ClusterCircuitBreaker breaker)
{
    /// <summary><c>limits.max_connections</c>.</summary>
    public int MaxConnections => maxConnections;

    /// <summary>Takes a connection slot; false (and a <c>max_connections</c> overflow counted) when the cluster has its maximum.</summary>
    public bool TryEnter()
    {
        if (budget.TryReserve(maxConnections))
        {
            return true;
        }
        breaker.CountOverflow(CircuitBreakerLimit.MaxConnections);
        return false;
    }

    /// <summary>Gives the slot back (and wakes an HTTP request waiting for one).</summary>
    public void Exit() => budget.ReleaseSlot();
}
