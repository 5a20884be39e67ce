using System.Collections.Concurrent;

namespace Meshy.Engine.Upstream.CircuitBreaking;

/// <summary>
/// The process's <see cref="ClusterCircuitBreaker"/>s by cluster name. A snapshot's compiled routes
/// resolve their clusters' breakers here once, so a request never looks one up; a reload that keeps a
/// cluster name keeps its counts. Read at scrape time for the overflow counters and by admin <c>/clusters</c>.
/// </summary>
public sealed class CircuitBreakerRegistry
{
    private readonly ConcurrentDictionary<string, ClusterCircuitBreaker> _breakers = new(StringComparer.Ordinal);

    /// <summary>Every cluster that has had a breaker (removed clusters keep theirs: their counters stay monotonic).</summary>
    public IReadOnlyCollection<ClusterCircuitBreaker> Breakers => [.. _breakers.Values];

    /// <summary>The breaker of <paramref name="cluster"/>, created on first use.</summary>
    public ClusterCircuitBreaker Get(string cluster) =>
        _breakers.GetOrAdd(cluster, static name => new ClusterCircuitBreaker(name));

    /// <summary>The breaker of <paramref name="cluster"/> if one exists.</summary>
    public ClusterCircuitBreaker? Find(string cluster) => _breakers.GetValueOrDefault(cluster);
}
