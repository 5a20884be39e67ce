using System.Collections.Concurrent;

namespace Meshy.Filters.TcpProxy;

/// <summary>
/// The TCP proxy's counters by cluster. A filter resolves its cluster's <see cref="TcpProxyCounters"/>
/// once when it is compiled, so the data path only adds to longs; the Prometheus exporter walks
/// <see cref="Clusters"/> at scrape time. One instance per process (a singleton), so counters survive reloads.
/// </summary>
internal sealed class TcpProxyMetrics
{
    private readonly ConcurrentDictionary<string, TcpProxyCounters> _clusters = new(StringComparer.Ordinal);

    /// <summary>Every cluster that has had TCP traffic or a TCP proxy filter compiled for it.</summary>
    public IReadOnlyCollection<TcpProxyCounters> Clusters => [.. _clusters.Values];

    /// <summary>The counters of <paramref name="cluster"/>, created on first use.</summary>
    public TcpProxyCounters ForCluster(string cluster) =>
        _clusters.GetOrAdd(cluster, static name => new TcpProxyCounters(name));
}
