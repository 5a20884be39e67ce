using System.Collections.Immutable;
using Meshy.Conf.Loading;
using Meshy.Conf.Schema;
using Meshy.Engine.Upstream;

namespace Meshy.Conf.Validation;

internal static partial class ConfigBinder
{
    private static readonly (string, LoadBalancerPolicy)[] LoadBalancerPolicies =
    [
        ("round_robin", LoadBalancerPolicy.RoundRobin),
        ("least_request", LoadBalancerPolicy.LeastRequest),
        ("random", LoadBalancerPolicy.Random),
        ("ring_hash", LoadBalancerPolicy.RingHash),
    ];

    private static readonly (string, UpstreamProtocol)[] UpstreamProtocols =
    [
        ("http1", UpstreamProtocol.Http1),
        ("http2", UpstreamProtocol.Http2),
    ];

    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    private static ClusterConfig BindCluster(TableReader cluster)
    {
        string name = cluster.Name("name", required: true) ?? "";
        LoadBalancerPolicy lb = cluster.Enum("lb", LoadBalancerPolicies) ?? LoadBalancerPolicy.RoundRobin;
        HashOnConfig? hashOn = BindHashOn(cluster, lb);
        if (!cluster.Table.TryGetKey("endpoints"))
        {
            cluster.Missing("endpoints", "an array such as [{ address = \"10.0.0.5:8080\" }]");
        }
        ImmutableArray<EndpointConfig> endpoints = cluster.Tables("endpoints", BindEndpoint, "an array of endpoints such as [{ address = \"10.0.0.5:8080\" }]");
        if (cluster.Node("endpoints") is TomlArrayNode { Items.Count: 0 } empty)
        {
            cluster.Context.Error(empty.Position, cluster.PathOf("endpoints"), "must list at least one endpoint");
        }
        CheckUniqueEndpoints(cluster, endpoints);
        ImmutableArray<SubsetConfig> subsets = cluster.Tables("subsets", BindSubset, "an array of subsets such as [{ name = \"v1\", labels = { version = \"v1\" } }]");
        CheckUniqueSubsets(cluster, subsets);

        return new ClusterConfig
        {
            Name = name,
            Lb = lb,
            HashOn = hashOn,
            Protocol = cluster.Enum("protocol", UpstreamProtocols) ?? UpstreamProtocol.Http1,
            ConnectTimeout = cluster.Duration("connect_timeout", positive: true, FiveMinutes) ?? ClusterConfig.DefaultConnectTimeout,
            ReadTimeout = cluster.Duration("read_timeout", positive: false, OneDay) ?? ClusterConfig.DefaultReadTimeout,
            Endpoints = endpoints,
            Subsets = subsets,
            Limits = BindLimits(cluster.SubTable("limits")),
            OutlierDetection = BindOutlierDetection(cluster.SubTable("outlier_detection")),
            HealthCheck = BindHealthCheck(cluster.SubTable("health_check")),
            IdleTimeout = cluster.Duration("idle_timeout", positive: true, OneDay) ?? ClusterConfig.DefaultIdleTimeout,
            MaxIdlePerEndpoint = cluster.Integer("max_idle_per_endpoint", 0, 100_000) ?? ClusterConfig.DefaultMaxIdlePerEndpoint,
        };
    }

    private static HashOnConfig? BindHashOn(TableReader cluster, LoadBalancerPolicy lb)
    {
        TomlNode? node = cluster.Node("hash_on");
        if (node is null)
        {
            if (lb == LoadBalancerPolicy.RingHash && cluster.Node("lb") is not null)
            {
                cluster.Missing("hash_on", "lb = \"ring_hash\" hashes on header:NAME, cookie:NAME or source_ip");
            }
            return null;
        }
        if (cluster.Node("lb") is TomlScalarNode { Value: string lbText } && !LoadBalancerPolicies.Any(p => p.Item1 == lbText))
        {
            return null;    // lb itself is wrong and already reported; whether hash_on applies is unknown
        }
        if (lb != LoadBalancerPolicy.RingHash)
        {
            string current = cluster.Node("lb") is TomlScalarNode { Value: string text } ? text : "round_robin";
            cluster.ErrorAtKey("hash_on", $"only applies with lb = \"ring_hash\" (lb is \"{current}\")");
            return null;
        }
        const string Expected = "header:NAME, cookie:NAME or source_ip";
        if (node is not TomlScalarNode { Kind: TomlScalarKind.String, Value: string value })
        {
            Values.Fail(cluster.Context, node, cluster.PathOf("hash_on"), Expected);
            return null;
        }
        if (value == "source_ip")
        {
            return new HashOnConfig { Kind = HashOnKind.SourceIp };
        }
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        string prefix = colon < 0 ? "" : value[..colon];
        string name = colon < 0 ? "" : value[(colon + 1)..];
        HashOnKind? kind = prefix switch
        {
            "header" when Values.IsToken(name) => HashOnKind.Header,
            "cookie" when Values.IsToken(name) => HashOnKind.Cookie,
            _ => null,
        };
        if (kind is null)
        {
            Values.Fail(cluster.Context, node, cluster.PathOf("hash_on"), Expected);
            return null;
        }
        return new HashOnConfig { Kind = kind.Value, Name = name };
    }

    private static EndpointConfig BindEndpoint(TableReader endpoint) => new()
    {
        Address = endpoint.Address("address", AddressUse.Connect, required: true) ?? ConfigAddress.Unset,
        Labels = BindLabels(endpoint, required: false),
        Weight = endpoint.Integer("weight", 1, 1_000_000) ?? 1,
    };

    private static SubsetConfig BindSubset(TableReader subset)
    {
        string name = subset.Name("name", required: true) ?? "";
        ImmutableDictionary<string, string> labels = BindLabels(subset, required: true);
        return new SubsetConfig { Name = name, Labels = labels };
    }

    private static ImmutableDictionary<string, string> BindLabels(TableReader table, bool required)
    {
        var context = table.Context;
        ImmutableArray<(TomlEntry Entry, string Value)>? labels = table.Map("labels", (entry, path) =>
        {
            bool ok = Values.String(context, entry.Value, path, out string? value);
            if (entry.Name.Length == 0)
            {
                context.Error(entry.KeyPosition, path, "must be a label name (got \"\")");
                ok = false;
            }
            return (ok, value ?? "");
        });
        if (required)
        {
            if (labels is null && table.Node("labels") is null)
            {
                table.Missing("labels", "a table such as { version = \"v1\" }");
            }
            else if (table.Node("labels") is TomlTableNode { Entries.Count: 0 } empty)
            {
                context.Error(empty.Position, table.PathOf("labels"), "must have at least one label (a subset selects endpoints by label)");
            }
        }
        return labels is null
            ? ImmutableDictionary<string, string>.Empty
            : labels.Value.ToImmutableDictionary(l => l.Entry.Name, l => l.Value, StringComparer.Ordinal);
    }

    private static void CheckUniqueEndpoints(TableReader cluster, ImmutableArray<EndpointConfig> endpoints)
    {
        var first = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < endpoints.Length; i++)
        {
            ConfigAddress address = endpoints[i].Address;
            if (address == ConfigAddress.Unset)
            {
                continue;
            }
            // Compare the parsed form, so "[::1]:80" and "[0:0::1]:80" are the same endpoint.
            string key = (address.IPAddress?.ToString() ?? address.Host) + "|" + address.Port;
            string path = $"{cluster.PathOf("endpoints")}[{i}].address";
            if (first.TryGetValue(key, out int earlier))
            {
                int line = cluster.Context.ValuePosition($"{cluster.PathOf("endpoints")}[{earlier}].address").Line;
                cluster.Context.Error(cluster.Context.ValuePosition(path), path,
                    $"duplicate endpoint {address.Text} in this cluster (first listed at line {line})");
            }
            else
            {
                first[key] = i;
            }
        }
    }

    private static void CheckUniqueSubsets(TableReader cluster, ImmutableArray<SubsetConfig> subsets)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < subsets.Length; i++)
        {
            string name = subsets[i].Name;
            if (name.Length == 0)
            {
                continue;
            }
            string path = $"{cluster.PathOf("subsets")}[{i}].name";
            if (first.TryGetValue(name, out int earlier))
            {
                int line = cluster.Context.ValuePosition($"{cluster.PathOf("subsets")}[{earlier}].name").Line;
                cluster.Context.Error(cluster.Context.ValuePosition(path), path,
                    $"duplicate subset name {Describe.Quote(name)} in this cluster (first used at line {line})");
            }
            else
            {
                first[name] = i;
            }
        }
    }

    private static LimitsConfig BindLimits(TableReader? limits)
    {
        if (limits is null)
        {
            return LimitsConfig.Default;
        }
        LimitsConfig defaults = LimitsConfig.Default;
        var config = new LimitsConfig
        {
            MaxConnections = limits.Integer("max_connections", 1, int.MaxValue) ?? defaults.MaxConnections,
            MaxPendingRequests = limits.Integer("max_pending_requests", 0, int.MaxValue) ?? defaults.MaxPendingRequests,
            MaxRequests = limits.Integer("max_requests", 1, int.MaxValue) ?? defaults.MaxRequests,
            MaxRetries = limits.Integer("max_retries", 0, int.MaxValue) ?? defaults.MaxRetries,
        };
        limits.Finish();
        return config;
    }

    private static OutlierDetectionConfig? BindOutlierDetection(TableReader? outlier)
    {
        if (outlier is null)
        {
            return null;
        }
        OutlierDetectionConfig defaults = OutlierDetectionConfig.Default;
        var config = new OutlierDetectionConfig
        {
            Consecutive5xx = outlier.Integer("consecutive_5xx", 0, 1_000_000) ?? defaults.Consecutive5xx,
            ConsecutiveGatewayErrors = outlier.Integer("consecutive_gateway_errors", 0, 1_000_000) ?? defaults.ConsecutiveGatewayErrors,
            Interval = outlier.Duration("interval", positive: true, OneDay) ?? defaults.Interval,
            BaseEjectionTime = outlier.Duration("base_ejection_time", positive: true, OneDay) ?? defaults.BaseEjectionTime,
            MaxEjectionPercent = outlier.Percent("max_ejection_percent") ?? defaults.MaxEjectionPercent,
        };
        outlier.Finish();
        return config;
    }

    private static HealthCheckConfig? BindHealthCheck(TableReader? health)
    {
        if (health is null)
        {
            return null;
        }
        var defaults = new HealthCheckConfig { Path = "/" };
        TimeSpan interval = health.Duration("interval", positive: true, OneHour) ?? defaults.Interval;
        TimeSpan timeout = health.Duration("timeout", positive: true, OneHour) ?? defaults.Timeout;
        if (timeout > interval && health.Node("timeout") is { } timeoutNode)
        {
            Values.Fail(health.Context, timeoutNode, health.PathOf("timeout"), $"a duration of at most interval ({ConfigDuration.Format(interval)})");
        }
        else if (timeout > interval && health.Node("interval") is { } intervalNode)
        {
            Values.Fail(health.Context, intervalNode, health.PathOf("interval"), $"a duration of at least timeout ({ConfigDuration.Format(timeout)})");
        }
        var config = new HealthCheckConfig
        {
            Path = health.UrlPath("path", required: true) ?? "/",
            Interval = interval,
            Timeout = timeout,
            UnhealthyThreshold = health.Integer("unhealthy_threshold", 1, 1000) ?? defaults.UnhealthyThreshold,
            HealthyThreshold = health.Integer("healthy_threshold", 1, 1000) ?? defaults.HealthyThreshold,
        };
        health.Finish();
        return config;
    }
}
