using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using Meshy.Conf.Json;
using Meshy.Conf.Schema;
using Meshy.Engine.Observability;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.Health;
using Meshy.Engine.Upstream.LoadBalancing;

namespace Meshy.Conf.Compilation;

/// <summary>
/// Compiles a validated <see cref="MeshyConfig"/> into one immutable <see cref="ProxySnapshot"/>:
/// clusters with their endpoints (whose live state comes from the <see cref="EndpointRegistry"/>, so
/// it survives reloads), subsets, load balancers, outlier detectors and health-check settings (with the
/// cluster's live health from the <see cref="ClusterHealthRegistry"/>), and each listener's network filter chain.
/// Everything costly (lookups, regexes, label children) is done here, once per reload.
/// </summary>
public sealed class SnapshotCompiler
{
    private readonly EndpointRegistry _endpoints;
    private readonly FrozenDictionary<ListenerProtocol, INetworkFilterFactory> _networkFactories;
    private readonly TimeProvider _time;
    private readonly ITelemetryCompiler? _telemetry;
    private readonly ClusterHealthRegistry _health;

    public SnapshotCompiler(
        EndpointRegistry endpoints,
        IEnumerable<INetworkFilterFactory> networkFactories,
        TimeProvider? time = null,
        ITelemetryCompiler? telemetry = null,
        ClusterHealthRegistry? health = null)
    {
        _endpoints = endpoints;
        _health = health ?? new ClusterHealthRegistry(time: time);
        _telemetry = telemetry;
        _time = time ?? TimeProvider.System;
        var byProtocol = new Dictionary<ListenerProtocol, INetworkFilterFactory>();
        foreach (INetworkFilterFactory factory in networkFactories)
        {
            if (!byProtocol.TryAdd(factory.Protocol, factory))
            {
                throw new InvalidOperationException(
                    $"two network filter factories claim protocol {factory.Protocol}: {byProtocol[factory.Protocol].GetType().Name} and {factory.GetType().Name}");
            }
        }
        _networkFactories = byProtocol.ToFrozenDictionary();
    }

    /// <summary>
    /// Builds the snapshot. With <paramref name="buildListeners"/> false (validation), listeners
    /// get no filter chain, so a protocol this build cannot serve is not an error.
    /// </summary>
    public ProxySnapshot Compile(MeshyConfig config, string source, bool buildListeners = true)
    {
        HashSet<string> tcpOnly = TcpOnlyClusters(config);
        FrozenDictionary<string, ClusterSnapshot> clusters = config.Clusters
            .Select(cluster => CompileCluster(cluster, tcpOnly.Contains(cluster.Name)))
            .ToFrozenDictionary(c => c.Name, StringComparer.Ordinal);
        var context = new CompilationContext { Config = config, Clusters = clusters };

        ImmutableArray<ListenerSnapshot> listeners = [.. config.Listeners.Select(l => CompileListener(l, context, buildListeners))];

        return new ProxySnapshot
        {
            Source = source,
            LoadedAt = _time.GetUtcNow(),
            Runtime = new RuntimeSettings
            {
                AdminEndPoint = ToBindEndPoint(config.Admin.Address),
                DrainTimeout = config.Runtime.DrainTimeout,
                MaxConnections = config.Runtime.MaxConnections,
            },
            Listeners = listeners,
            Clusters = clusters,
            RouteTableCount = config.Routes.Length,
            ConfigJson = ConfigJson.Serialize(config),
            // Validation compiles without listeners: it must not open access-log files either.
            Telemetry = buildListeners && _telemetry is not null ? _telemetry.Compile(context) : NullProxyTelemetry.Instance,
        };
    }

    private ListenerSnapshot CompileListener(ListenerConfig listener, CompilationContext context, bool buildFilters)
    {
        ImmutableArray<INetworkFilter> filters = [];
        if (buildFilters)
        {
            if (!_networkFactories.TryGetValue(listener.Protocol, out INetworkFilterFactory? factory))
            {
                throw new UnsupportedListenerException(listener.Name, $"protocol \"{listener.Protocol.ToString().ToLowerInvariant()}\"");
            }
            filters = [factory.Create(listener, context)];
        }
        return new ListenerSnapshot
        {
            Name = listener.Name,
            EndPoint = ToBindEndPoint(listener.Address),
            Protocol = listener.Protocol,
            OriginalDestination = listener.OriginalDestination,
            NetworkFilters = filters,
        };
    }

    private ClusterSnapshot CompileCluster(ClusterConfig cluster, bool tcpOnly)
    {
        ImmutableArray<EndpointSnapshot> endpoints =
        [
            .. cluster.Endpoints.Select(endpoint => new EndpointSnapshot
            {
                Address = endpoint.Address.Text,
                EndPoint = endpoint.Address.ToEndPoint(),
                Labels = endpoint.Labels.ToFrozenDictionary(StringComparer.Ordinal),
                Weight = endpoint.Weight,
                State = _endpoints.GetOrCreate(cluster.Name, endpoint.Address.Text),
            }),
        ];
        FrozenDictionary<string, SubsetSnapshot> subsets = cluster.Subsets
            .Select(subset =>
            {
                ImmutableArray<EndpointSnapshot> members = [.. endpoints.Where(e => subset.Selects(e.Labels))];
                return new SubsetSnapshot { Name = subset.Name, Endpoints = members, LoadBalancer = CreateBalancer(cluster, members) };
            })
            .ToFrozenDictionary(s => s.Name, StringComparer.Ordinal);

        ClusterHealth health = _health.GetOrCreate(cluster.Name);
        return new ClusterSnapshot
        {
            Name = cluster.Name,
            Endpoints = endpoints,
            Subsets = subsets,
            ConnectTimeout = cluster.ConnectTimeout,
            ReadTimeout = cluster.ReadTimeout,
            Protocol = cluster.Protocol,
            LoadBalancer = CreateBalancer(cluster, endpoints),
            Health = health,
            OutlierDetector = cluster.OutlierDetection is { } outlier
                ? new OutlierDetector(CompileOutlierDetection(outlier), endpoints, health, _health.Time)
                : null,
            HealthCheck = cluster.HealthCheck is { } check ? CompileHealthCheck(check, tcpOnly) : null,
        };
    }

    private static OutlierDetectionSettings CompileOutlierDetection(OutlierDetectionConfig outlier) => new()
    {
        Consecutive5xx = outlier.Consecutive5xx,
        ConsecutiveGatewayErrors = outlier.ConsecutiveGatewayErrors,
        Interval = outlier.Interval,
        BaseEjectionTime = outlier.BaseEjectionTime,
        MaxEjectionPercent = outlier.MaxEjectionPercent,
    };

    private static HealthCheckSettings CompileHealthCheck(HealthCheckConfig check, bool tcpOnly) => new()
    {
        Probe = tcpOnly ? HealthCheckProbe.Tcp : HealthCheckProbe.Http,
        Path = check.Path,
        Interval = check.Interval,
        Timeout = check.Timeout,
        UnhealthyThreshold = check.UnhealthyThreshold,
        HealthyThreshold = check.HealthyThreshold,
    };

    /// <summary>
    /// Clusters that only carry bytes: named by a listener's <c>cluster</c> and by no rule's <c>to</c> or
    /// <c>mirror</c>. Their health check is a TCP connect, since they need not speak HTTP at all.
    /// </summary>
    private static HashSet<string> TcpOnlyClusters(MeshyConfig config)
    {
        var tcp = new HashSet<string>(StringComparer.Ordinal);
        foreach (ListenerConfig listener in config.Listeners)
        {
            if (listener.Cluster is { } name)
            {
                tcp.Add(name);
            }
        }
        foreach (RouteTableConfig table in config.Routes)
        {
            foreach (RouteRuleConfig rule in table.Rules)
            {
                foreach (DestinationConfig destination in rule.To)
                {
                    tcp.Remove(destination.Cluster);
                }
                if (rule.Mirror is { } mirror)
                {
                    tcp.Remove(mirror.Cluster);
                }
            }
        }
        return tcp;
    }

    /// <summary>
    /// The cluster's <c>lb</c> over <paramref name="endpoints"/> (the cluster's or one subset's). Ring hash
    /// places endpoints by address, so a subset's ring agrees with the cluster's on the endpoints they share.
    /// </summary>
    private static ILoadBalancer CreateBalancer(ClusterConfig cluster, ImmutableArray<EndpointSnapshot> endpoints) => cluster.Lb switch
    {
        LoadBalancerPolicy.LeastRequest => new LeastRequestBalancer(endpoints),
        LoadBalancerPolicy.Random => new RandomBalancer(endpoints),
        LoadBalancerPolicy.RingHash => new RingHashBalancer(endpoints),
        _ => new WeightedRoundRobinBalancer(endpoints),
    };

    /// <summary>A listen address: an IP literal as is, <c>localhost</c> as the loopback address, a name resolved once.</summary>
    internal static IPEndPoint ToBindEndPoint(ConfigAddress address) => address.ToEndPoint() switch
    {
        IPEndPoint ip => ip,
        DnsEndPoint dns => new IPEndPoint(Dns.GetHostAddresses(dns.Host)[0], dns.Port),
        var other => throw new ArgumentException($"cannot listen on {other}"),
    };
}
