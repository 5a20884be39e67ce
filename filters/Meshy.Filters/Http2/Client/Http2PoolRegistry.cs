using System.Collections.Concurrent;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.Pools;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshy.Filters.Http2.Client;

/// <summary>
/// The process's HTTP/2 upstream pools: one per endpoint (by its <see cref="EndpointState"/>, which survives
/// reloads), counted against the cluster's connection budget kept by the <see cref="Http1PoolRegistry"/>, so
/// <c>limits.max_connections</c> is one number whatever protocol the cluster speaks. A sweep closes
/// connections idle past their cluster's <c>idle_timeout</c>; the registry closes everything when the HTTP/1.1
/// registry is disposed (process shutdown).
/// </summary>
internal sealed class Http2PoolRegistry : IDisposable
{
    private readonly ConcurrentDictionary<EndpointState, Http2ClientPool> _pools = new();
    private readonly Http1PoolRegistry _budgets;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _sweeper;

    /// <summary>A registry whose connection budgets are <paramref name="budgets"/>' (per cluster name).</summary>
    public Http2PoolRegistry(Http1PoolRegistry budgets, TimeProvider? time = null, ILogger? logger = null)
    {
        _budgets = budgets;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _sweeper = _time.CreateTimer(static state => ((Http2PoolRegistry)state!).Sweep(), this, Http1PoolRegistry.SweepInterval, Http1PoolRegistry.SweepInterval);
        budgets.Disposing += Dispose;
    }

    /// <summary>The pool of <paramref name="endpoint"/>, created on first use.</summary>
    public Http2ClientPool GetPool(EndpointState endpoint)
    {
        if (_pools.TryGetValue(endpoint, out Http2ClientPool? pool))
        {
            return pool;
        }
        return _pools.GetOrAdd(endpoint, new Http2ClientPool(endpoint, _budgets.GetBudget(endpoint.ClusterName), _time, _logger));
    }

    /// <summary>Closes idle connections past their timeout and forgets pools unused for as long.</summary>
    public void Sweep()
    {
        foreach (KeyValuePair<EndpointState, Http2ClientPool> entry in _pools)
        {
            if (entry.Value.Sweep())
            {
                _pools.TryRemove(entry);
            }
        }
    }

    /// <summary>Stops the sweep and closes every connection.</summary>
    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (Http2ClientPool pool in _pools.Values)
        {
            pool.CloseAll();
        }
    }
}
