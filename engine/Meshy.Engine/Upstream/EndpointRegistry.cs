using System.Collections.Concurrent;
using Meshy.Engine.Runtime;

namespace Meshy.Engine.Upstream;

/// <summary>
/// Hands out the <see cref="EndpointState"/> of each (cluster, address), so a reload that keeps an
/// endpoint keeps its counters, health, ejection and pooled connections. The snapshot compiler asks
/// here for every endpoint it compiles, then calls <see cref="Prune"/> with the snapshot it published.
/// </summary>
public sealed class EndpointRegistry
{
    private readonly ConcurrentDictionary<(string Cluster, string Address), EndpointState> _states = new();

    /// <summary>Endpoints currently known.</summary>
    public int Count => _states.Count;

    /// <summary>The state of <paramref name="address"/> in <paramref name="cluster"/>, created healthy on first use.</summary>
    public EndpointState GetOrCreate(string cluster, string address) =>
        _states.GetOrAdd((cluster, address), static key => new EndpointState(key.Cluster, key.Address));

    /// <summary>The state if the endpoint is known.</summary>
    public bool TryGet(string cluster, string address, out EndpointState? state) =>
        _states.TryGetValue((cluster, address), out state);

    /// <summary>
    /// Forgets every endpoint that <paramref name="snapshot"/> does not have. Requests still in flight
    /// on an older snapshot keep their state objects; only the registry lets go of them.
    /// Returns how many were forgotten.
    /// </summary>
    public int Prune(ProxySnapshot snapshot)
    {
        var present = new HashSet<(string, string)>();
        foreach (ClusterSnapshot cluster in snapshot.Clusters.Values)
        {
            foreach (EndpointSnapshot endpoint in cluster.Endpoints)
            {
                present.Add((cluster.Name, endpoint.Address));
            }
        }
        int removed = 0;
        foreach ((string, string) key in _states.Keys)
        {
            if (!present.Contains(key) && _states.TryRemove(key, out _))
            {
                removed++;
            }
        }
        return removed;
    }
}
