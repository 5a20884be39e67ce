using System.Collections.Frozen;
using System.Collections.Immutable;
using Meshy.Engine.Upstream.Health;
using Meshy.Engine.Upstream.LoadBalancing;

namespace Meshy.Engine.Upstream;

/// <summary>Upstream protocol of a cluster: <c>clusters[].protocol</c>.</summary>
public enum UpstreamProtocol
{
    /// <summary>HTTP/1.1 (default).</summary>
    Http1,
    /// <summary>HTTP/2 over cleartext (h2c prior knowledge).</summary>
    Http2,
}

/// <summary>One compiled <c>[[clusters]]</c> entry.</summary>
public sealed class ClusterSnapshot
{
    /// <summary><c>name</c>: unique across clusters.</summary>
    public required string Name { get; init; }

    /// <summary><c>endpoints</c>, in file order.</summary>
    public required ImmutableArray<EndpointSnapshot> Endpoints { get; init; }

    /// <summary><c>subsets</c> by name; each selects endpoints by labels.</summary>
    public required FrozenDictionary<string, SubsetSnapshot> Subsets { get; init; }

    /// <summary><c>connect_timeout</c>: how long an upstream connect may take. Default 1s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>read_timeout</c>: how long a request waits for the upstream's next bytes once sent; zero: no limit.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary><c>protocol</c>: how HTTP is spoken to the endpoints.</summary>
    public UpstreamProtocol Protocol { get; init; } = UpstreamProtocol.Http1;

    /// <summary>Picks an endpoint of the whole cluster (<c>lb</c>).</summary>
    public required ILoadBalancer LoadBalancer { get; init; }

    /// <summary>The cluster's live health (counters, panic mode), kept across reloads; null for ad-hoc clusters.</summary>
    public ClusterHealth? Health { get; init; }

    /// <summary><c>outlier_detection</c> over this snapshot's endpoints; null when off.</summary>
    public OutlierDetector? OutlierDetector { get; init; }

    /// <summary><c>health_check</c>; null when off (every endpoint counts as healthy).</summary>
    public HealthCheckSettings? HealthCheck { get; init; }
}
