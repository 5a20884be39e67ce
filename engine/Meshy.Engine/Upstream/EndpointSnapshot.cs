using System.Collections.Frozen;
using System.Net;

namespace Meshy.Engine.Upstream;

/// <summary>One compiled endpoint of a cluster: where it is, its labels and weight, and its live state.</summary>
public sealed class EndpointSnapshot
{
    /// <summary><c>address</c> as configured, e.g. <c>10.0.0.5:8080</c> or <c>[::1]:8080</c>.</summary>
    public required string Address { get; init; }

    /// <summary>What to connect to: an <see cref="IPEndPoint"/>, or a <see cref="DnsEndPoint"/> resolved at connect time.</summary>
    public required EndPoint EndPoint { get; init; }

    /// <summary><c>labels</c>: selects subsets; <c>version</c> feeds <c>destination_version</c>.</summary>
    public required FrozenDictionary<string, string> Labels { get; init; }

    /// <summary><c>weight</c>: share of traffic relative to the cluster's other endpoints. Default 1.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>The live state kept across reloads.</summary>
    public required EndpointState State { get; init; }
}
