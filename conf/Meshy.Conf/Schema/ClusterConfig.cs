using System.Collections.Immutable;
using Meshy.Engine.Upstream;

namespace Meshy.Conf.Schema;

/// <summary>
/// <c>[[clusters]]</c>: an upstream service, like an Istio DestinationRule plus its endpoints: where the
/// endpoints are, how one is picked, and the policies that protect them.
/// </summary>
public sealed record ClusterConfig
{
    /// <summary>Default of <see cref="ConnectTimeout"/>: 1s.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Default of <see cref="IdleTimeout"/>: 60s.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Default of <see cref="ReadTimeout"/>: 5m, as Envoy's stream idle timeout.</summary>
    public static readonly TimeSpan DefaultReadTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Default of <see cref="MaxIdlePerEndpoint"/>: 1024, the default of <c>limits.max_connections</c>.</summary>
    public const int DefaultMaxIdlePerEndpoint = 1024;

    /// <summary>
    /// <c>name</c>: unique across clusters; routes refer to it, metrics label by it, health checks send it
    /// as Host. Required.
    /// </summary>
    public required string Name { get; init; }

    /// <summary><c>lb</c>: <c>round_robin</c> (default), <c>least_request</c>, <c>random</c> or <c>ring_hash</c>.</summary>
    public LoadBalancerPolicy Lb { get; init; } = LoadBalancerPolicy.RoundRobin;

    /// <summary><c>hash_on</c>: the ring-hash key; required with <c>lb = "ring_hash"</c>, not allowed otherwise.</summary>
    public HashOnConfig? HashOn { get; init; }

    /// <summary><c>protocol</c>: <c>http1</c> (default) or <c>http2</c> (h2c prior knowledge) towards the endpoints.</summary>
    public UpstreamProtocol Protocol { get; init; } = UpstreamProtocol.Http1;

    /// <summary><c>connect_timeout</c>: how long opening an upstream connection may take. Default <c>1s</c>, range above 0 up to 5m.</summary>
    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    /// <summary>
    /// <c>read_timeout</c>: how long a request, once sent, waits for the upstream's next bytes (its response head,
    /// then each part of its body). Default <c>5m</c>, <c>0s</c> for no limit, up to 24h.
    /// </summary>
    public TimeSpan ReadTimeout { get; init; } = DefaultReadTimeout;

    /// <summary><c>endpoints</c>: at least one, in file order; addresses unique within the cluster. Required.</summary>
    public required ImmutableArray<EndpointConfig> Endpoints { get; init; }

    /// <summary><c>subsets</c>: named label selectors over the endpoints; names unique within the cluster.</summary>
    public ImmutableArray<SubsetConfig> Subsets { get; init; } = [];

    /// <summary><c>limits</c>: circuit-breaker thresholds; defaults 1024/1024/1024/3.</summary>
    public LimitsConfig Limits { get; init; } = LimitsConfig.Default;

    /// <summary><c>outlier_detection</c>: passive ejection of failing endpoints; off when absent.</summary>
    public OutlierDetectionConfig? OutlierDetection { get; init; }

    /// <summary><c>health_check</c>: active HTTP probes; off when absent (every endpoint counts as healthy).</summary>
    public HealthCheckConfig? HealthCheck { get; init; }

    /// <summary>
    /// <c>idle_timeout</c>: a pooled upstream connection unused for this long is closed. Default <c>60s</c>,
    /// range above 0 up to 24h.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;

    /// <summary>
    /// <c>max_idle_per_endpoint</c>: most idle HTTP/1.1 connections kept per endpoint for reuse; 0 closes each
    /// connection after its request. Default 1024, range 0–100 000.
    /// </summary>
    public int MaxIdlePerEndpoint { get; init; } = DefaultMaxIdlePerEndpoint;
}
