using System.Collections.Concurrent;
using Meshy.Engine.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshy.Engine.Upstream.Health;

/// <summary>
/// Hands out the <see cref="ClusterHealth"/> of each cluster name, so a reload keeps its counters and panic
/// state; the snapshot compiler asks here for every cluster it compiles.
/// </summary>
public sealed class ClusterHealthRegistry(ILoggerFactory? loggers = null, TimeProvider? time = null)
{
    private readonly ConcurrentDictionary<string, ClusterHealth> _clusters = new(StringComparer.Ordinal);
    private readonly ILogger _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger("Meshy.Engine.Upstream.Health");

    /// <summary>The clock of ejections and probes.</summary>
    public TimeProvider Time { get; } = time ?? TimeProvider.System;

    /// <summary>The health of <paramref name="cluster"/>, created on first use.</summary>
    public ClusterHealth GetOrCreate(string cluster) =>
        _clusters.GetOrAdd(cluster, static (name, logger) => new ClusterHealth(name, logger), _logger);

    /// <summary>Forgets every cluster <paramref name="snapshot"/> does not have; returns how many.</summary>
    public int Prune(ProxySnapshot snapshot)
    {
        int removed = 0;
        foreach (string name in _clusters.Keys)
        {
            if (!snapshot.Clusters.ContainsKey(name) && _clusters.TryRemove(name, out _))
            {
                removed++;
            }
        }
        return removed;
    }
}
