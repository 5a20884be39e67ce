using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.LoadBalancing;
using Meshy.Engine.Upstream.Pools;

namespace Meshy.Filters.Mirror;

/// <summary>A rule's <c>mirror</c>, compiled once per snapshot: where copies go, how many, and their bounds.</summary>
internal sealed class MirrorSettings
{
    /// <summary>How long a copy may take, connect to last response byte, when the rule has no <c>timeout</c>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary><c>mirror.cluster</c>.</summary>
    public required ClusterSnapshot Cluster { get; init; }

    /// <summary><c>mirror.subset</c>; null for the whole cluster.</summary>
    public SubsetSnapshot? Subset { get; init; }

    /// <summary><c>mirror.percent</c>: 0–100, decimals allowed.</summary>
    public required double Percent { get; init; }

    /// <summary>The mirror cluster's pool settings (its <c>limits</c>, timeouts).</summary>
    public required Http1PoolSettings PoolSettings { get; init; }

    /// <summary>Copies in flight to the mirror cluster at most: its <c>limits.max_requests</c>.</summary>
    public required int MaxInFlight { get; init; }

    /// <summary>The bound of one copy: the rule's <c>timeout</c>, else <see cref="DefaultTimeout"/>.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>The live state of the mirror cluster.</summary>
    public required MirrorClusterState State { get; init; }

    /// <summary>The balancer over the targeted endpoints (it skips unavailable ones).</summary>
    public ILoadBalancer LoadBalancer => Subset?.LoadBalancer ?? Cluster.LoadBalancer;
}
