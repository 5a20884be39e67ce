using System.Collections.Immutable;

namespace Meshy.Conf.Schema;

/// <summary>One entry of <c>clusters[].endpoints</c>: <c>{ address, labels, weight }</c>.</summary>
public sealed record EndpointConfig
{
    /// <summary><c>address</c>: <c>host:port</c>, IPv6 as <c>[::1]:8080</c>, host names resolved at connect time; port 1–65535. Required.</summary>
    public required ConfigAddress Address { get; init; }

    /// <summary><c>labels</c>: table of string → string; subsets select on them and <c>version</c> feeds <c>destination_version</c>.</summary>
    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary><c>weight</c>: share relative to the cluster's other endpoints. Default 1, range 1–1 000 000.</summary>
    public int Weight { get; init; } = 1;
}
