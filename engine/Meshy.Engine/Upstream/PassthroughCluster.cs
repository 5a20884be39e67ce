using System.Collections.Frozen;
using System.Collections.Immutable;
using Meshy.Engine.Upstream.LoadBalancing;

namespace Meshy.Engine.Upstream;

/// <summary>
/// The pseudo-cluster of traffic sent to a connection's original destination (an <c>original_destination</c>
/// listener, no route matched): Istio's <c>PassthroughCluster</c>, so metrics and the access log read as Istio's.
/// </summary>
/// <remarks>
/// It has no configured endpoints: each original destination gets an ad-hoc endpoint from the
/// <see cref="OriginalDestinationRegistry"/>. The snapshot exists so code that reads a
/// <see cref="ClusterSnapshot"/> (the exchange's cluster, the metric tables) has one to read.
/// </remarks>
public static class PassthroughCluster
{
    /// <summary>The cluster name in metrics (<c>destination_service</c>), the access log and log lines.</summary>
    public const string Name = "PassthroughCluster";

    /// <summary>The cluster: no endpoints, no subsets, a balancer that never picks.</summary>
    public static ClusterSnapshot Snapshot { get; } = new()
    {
        Name = Name,
        Endpoints = [],
        Subsets = FrozenDictionary<string, SubsetSnapshot>.Empty,
        LoadBalancer = new WeightedRoundRobinBalancer(ImmutableArray<EndpointSnapshot>.Empty),
    };
}
