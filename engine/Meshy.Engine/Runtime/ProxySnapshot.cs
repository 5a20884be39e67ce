using System.Collections.Frozen;
using System.Collections.Immutable;
using Meshy.Engine.Observability;
using Meshy.Engine.Upstream;

namespace Meshy.Engine.Runtime;

/// <summary>
/// One compiled, immutable configuration: everything a connection or request needs to be served.
/// A connection (L4) or request (L7) reads <see cref="SnapshotHolder.Current"/> once and finishes on it,
/// so a reload never changes the rules under a request in flight.
/// </summary>
public sealed class ProxySnapshot
{
    /// <summary>The path of the config file as given (for <c>/config</c> and log lines).</summary>
    public required string Source { get; init; }

    /// <summary>When this snapshot was built.</summary>
    public required DateTimeOffset LoadedAt { get; init; }

    /// <summary>Process-wide settings from <c>[runtime]</c> and <c>[admin]</c>.</summary>
    public required RuntimeSettings Runtime { get; init; }

    /// <summary>Proxy listeners by name, in file order.</summary>
    public required ImmutableArray<ListenerSnapshot> Listeners { get; init; }

    /// <summary>Compiled clusters by name.</summary>
    public required FrozenDictionary<string, ClusterSnapshot> Clusters { get; init; }

    /// <summary>How many route tables the snapshot holds (the router compiles them; summary lines count them).</summary>
    public int RouteTableCount { get; init; }

    /// <summary>The running configuration as JSON, served by admin <c>/config</c>.</summary>
    public required string ConfigJson { get; init; }

    /// <summary>Where requests and TCP sessions served on this snapshot record metrics and access-log lines.</summary>
    public IProxyTelemetry Telemetry { get; init; } = NullProxyTelemetry.Instance;

    /// <summary>An empty snapshot: admin only, no listeners (the embedded default).</summary>
    public static ProxySnapshot Empty(string source, RuntimeSettings runtime) => new()
    {
        Source = source,
        LoadedAt = DateTimeOffset.UtcNow,
        Runtime = runtime,
        Listeners = [],
        Clusters = FrozenDictionary<string, ClusterSnapshot>.Empty,
        ConfigJson = "{}",
    };
}
