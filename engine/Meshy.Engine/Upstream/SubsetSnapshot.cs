using System.Collections.Immutable;
using Meshy.Engine.Upstream.LoadBalancing;

namespace Meshy.Engine.Upstream;

/// <summary>A compiled subset: the endpoints of a cluster whose labels hold all of the subset's labels.</summary>
public sealed class SubsetSnapshot
{
    /// <summary><c>subsets[].name</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The matching endpoints, in cluster order.</summary>
    public required ImmutableArray<EndpointSnapshot> Endpoints { get; init; }

    /// <summary>Picks an endpoint of this subset with the cluster's policy.</summary>
    public required ILoadBalancer LoadBalancer { get; init; }
}
