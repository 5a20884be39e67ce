using System.Collections.Concurrent;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream.Pools;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Mirror;

/// <summary>
/// The process's mirroring state: one <see cref="MirrorClusterState"/> per mirror cluster name (kept across
/// reloads), and what every copy needs to reach its cluster (the connector and the shared HTTP/1.1 pools).
/// </summary>
internal sealed class MirrorRegistry(
    UpstreamConnector connector,
    Http1PoolRegistry pools,
    ILoggerFactory loggers,
    TimeProvider? time = null,
    int windowCapacity = MirrorWindow.DefaultCapacity)
{
    private readonly ConcurrentDictionary<string, MirrorClusterState> _clusters = new(StringComparer.Ordinal);

    /// <summary>Opens connections to mirror endpoints.</summary>
    public UpstreamConnector Connector => connector;

    /// <summary>The pools copies take their connections from (the same as the router's).</summary>
    public Http1PoolRegistry Pools => pools;

    /// <summary>The clock of the mirror timeout.</summary>
    public TimeProvider Time { get; } = time ?? TimeProvider.System;

    /// <summary>For the workers' debug events.</summary>
    public ILogger Logger { get; } = loggers.CreateLogger<MirrorFilter>();

    /// <summary>Bytes of body a copy may fall behind the primary before it is abandoned.</summary>
    public int WindowCapacity => windowCapacity;

    /// <summary>Every mirror cluster used so far (scrape time).</summary>
    public ICollection<MirrorClusterState> Clusters => _clusters.Values;

    /// <summary>The state of mirror cluster <paramref name="cluster"/>, created on first use.</summary>
    public MirrorClusterState ForCluster(string cluster) =>
        _clusters.GetOrAdd(cluster, static (name, self) => new MirrorClusterState(name, self), this);

    /// <summary>Copies to <paramref name="cluster"/> counted as <paramref name="result"/> (0 for a cluster never mirrored to).</summary>
    public long Count(string cluster, MirrorResult result) =>
        _clusters.TryGetValue(cluster, out MirrorClusterState? state) ? state.Count(result) : 0;
}
