using System.Collections.Concurrent;

namespace Meshy.Engine.Upstream.Pools;

/// <summary>
/// The process's HTTP/1.1 pools: one per endpoint (by its <see cref="EndpointState"/>, which survives
/// reloads) and one connection budget per cluster name. A sweep every <see cref="SweepInterval"/>
/// closes idle connections past their cluster's <c>idle_timeout</c> and forgets pools unused for as long.
/// </summary>
public sealed class Http1PoolRegistry : IDisposable
{
    /// <summary>How often idle connections are checked against their idle timeout.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<EndpointState, Http1ConnectionPool> _pools = new();
    private readonly ConcurrentDictionary<string, ClusterConnectionBudget> _budgets = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;

    /// <summary>Creates the registry and starts its sweep.</summary>
    public Http1PoolRegistry(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _sweeper = _time.CreateTimer(static state => ((Http1PoolRegistry)state!).Sweep(), this, SweepInterval, SweepInterval);
    }

    /// <summary>Raised when the registry is disposed: pools of other protocols sharing its budgets close with it.</summary>
    public event Action? Disposing;

    /// <summary>Pools currently known.</summary>
    public int PoolCount => _pools.Count;

    /// <summary>The budget of <paramref name="cluster"/>, created on first use.</summary>
    public ClusterConnectionBudget GetBudget(string cluster) =>
        _budgets.GetOrAdd(cluster, static name => new ClusterConnectionBudget(name));

    /// <summary>The pool of <paramref name="endpoint"/>, created on first use.</summary>
    public Http1ConnectionPool GetPool(EndpointState endpoint)
    {
        if (_pools.TryGetValue(endpoint, out Http1ConnectionPool? pool))
        {
            return pool;
        }
        ClusterConnectionBudget budget = GetBudget(endpoint.ClusterName);
        var created = new Http1ConnectionPool(endpoint, budget, _time);
        pool = _pools.GetOrAdd(endpoint, created);
        if (ReferenceEquals(pool, created))
        {
            budget.AddPool(pool);
        }
        return pool;
    }

    /// <summary>Closes idle connections past their timeout now (the timer does this periodically).</summary>
    public void Sweep()
    {
        foreach (KeyValuePair<EndpointState, Http1ConnectionPool> entry in _pools)
        {
            if (entry.Value.Sweep() && _pools.TryRemove(entry))
            {
                entry.Value.Budget.RemovePool(entry.Value);
            }
        }
    }

    /// <summary>Stops the sweep and closes every idle connection.</summary>
    public void Dispose()
    {
        _sweeper.Dispose();
        Disposing?.Invoke();
        foreach (Http1ConnectionPool pool in _pools.Values)
        {
            pool.CloseIdle();
        }
    }
}
