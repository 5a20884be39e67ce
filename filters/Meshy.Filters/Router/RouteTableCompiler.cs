using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text;
using Meshy.Conf.Compilation;
using Meshy.Conf.Schema;
using Meshy.Engine.Http;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.CircuitBreaking;
using Meshy.Engine.Upstream.Pools;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Router;

/// <summary>
/// Compiles every <c>[[routes]]</c> table of a config once per snapshot (shared by all listeners through
/// <see cref="CompilationContext.GetOrAddShared"/>): host sets, rules with their matches (regexes
/// compiled here, once), weighted destinations with pool settings and ring-hash keys, the actions
/// (respond, redirect, rewrite, header edits), and each rule's HTTP filter chain. The same compiled
/// tables serve the proxy and <c>meshy route</c>. Destinations carry their cluster's circuit breaker from
/// <paramref name="breakers"/> (a private registry when null: tables only explained, never served).
/// </summary>
internal sealed partial class RouteTableCompiler(IEnumerable<IHttpFilterFactory> filterFactories, ILogger logger, CircuitBreakerRegistry? breakers = null)
{
    private readonly CircuitBreakerRegistry _breakers = breakers ?? new CircuitBreakerRegistry();

    private const string SharedKey = "router.route-tables";

    private readonly IHttpFilterFactory[] _factories = CheckFactories(filterFactories);

    /// <summary>The compiled tables of <paramref name="context"/>'s config by name, compiled on first call.</summary>
    public FrozenDictionary<string, RouteTable> GetTables(CompilationContext context) =>
        context.GetOrAddShared(SharedKey, Compile);

    private FrozenDictionary<string, RouteTable> Compile(CompilationContext context)
    {
        FrozenDictionary<string, ClusterConfig> clusterConfigs = context.Config.Clusters.ToFrozenDictionary(c => c.Name, StringComparer.Ordinal);
        var pools = new Dictionary<string, Http1PoolSettings>(StringComparer.Ordinal);
        var tables = new Dictionary<string, RouteTable>(StringComparer.Ordinal);
        foreach (RouteTableConfig table in context.Config.Routes)
        {
            ImmutableArray<RouteRule> rules =
            [
                .. table.Rules.Select((rule, index) => CompileRule(table, rule, index, context, clusterConfigs, pools)),
            ];
            tables[table.Name] = new RouteTable { Name = table.Name, Hosts = table.Hosts, Rules = rules };
        }
        return tables.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private RouteRule CompileRule(
        RouteTableConfig table,
        RouteRuleConfig rule,
        int index,
        CompilationContext context,
        FrozenDictionary<string, ClusterConfig> clusterConfigs,
        Dictionary<string, Http1PoolSettings> pools)
    {
        string ruleName = rule.Name ?? $"rules[{index}]";
        ImmutableArray<RouteMatch> matches = [.. rule.Match.Select(match => new RouteMatch(match))];
        WeightedPicker? destinations = null;
        if (!rule.To.IsEmpty)
        {
            ImmutableArray<RouteDestination> compiled = [.. rule.To.Select(to => CompileDestination(to, context, clusterConfigs, pools))];
            destinations = new WeightedPicker(compiled);
        }
        foreach (string key in NotYetApplied(rule))
        {
            LogNotApplied(table.Name, ruleName, key);
        }
        ImmutableArray<IHttpFilter> filters = [.. _factories.Select(f => f.Create(rule, context)).OfType<IHttpFilter>()];
        return new RouteRule
        {
            TableName = table.Name,
            RuleName = ruleName,
            Config = rule,
            Matches = matches,
            Destinations = destinations,
            Respond = rule.Respond is { } respond ? CompileRespond(respond) : null,
            Redirect = rule.Redirect is { } redirect ? new RedirectAction(redirect) : null,
            Rewrite = rule.Rewrite is { } rewrite ? new RewriteAction(rewrite) : null,
            RequestHeaders = HeaderMutation.Compile(rule.Headers.Request),
            ResponseHeaders = HeaderMutation.Compile(rule.Headers.Response),
            Filters = filters.IsEmpty ? HttpFilterChain.Empty : new HttpFilterChain(filters),
            Timeout = rule.Timeout,
            Retry = rule.Retries is { } retries ? new RetryPolicy(retries) : null,
        };
    }

    private RouteDestination CompileDestination(
        DestinationConfig to,
        CompilationContext context,
        FrozenDictionary<string, ClusterConfig> clusterConfigs,
        Dictionary<string, Http1PoolSettings> pools)
    {
        ClusterSnapshot cluster = context.Clusters[to.Cluster];
        ClusterConfig config = clusterConfigs[to.Cluster];
        return new RouteDestination
        {
            Cluster = cluster,
            Subset = to.Subset is null ? null : cluster.Subsets[to.Subset],
            Weight = to.Weight,
            PoolSettings = GetPoolSettings(config, pools),
            MaxRetries = config.Limits.MaxRetries,
            MaxRequests = config.Limits.MaxRequests,
            Breaker = _breakers.Get(to.Cluster),
            Hash = config is { Lb: LoadBalancerPolicy.RingHash, HashOn: { } hashOn } ? new RouteHashPolicy(hashOn) : null,
        };
    }

    private static DirectResponse CompileRespond(RespondConfig respond) => new()
    {
        Status = respond.Status,
        Body = respond.Body is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(respond.Body),
        Headers = [.. respond.Headers.Select(h => (Encoding.ASCII.GetBytes(h.Key), Encoding.Latin1.GetBytes(h.Value)))],
    };

    private IEnumerable<string> NotYetApplied(RouteRuleConfig rule)
    {
        // The router applies rewrite, redirect, respond, header edits and retries itself; keys owned by a
        // registered filter factory are applied by it.
        foreach ((string key, bool used) in new[]
        {
            ("fault", rule.Fault is not null),
            ("mirror", rule.Mirror is not null),
        })
        {
            if (used && !_factories.Any(f => f.ConfigKey == key))
            {
                yield return key;
            }
        }
    }

    /// <summary>The pool settings of <paramref name="cluster"/> (its limits and timeouts), shared per cluster through <paramref name="pools"/>; also used by the mirror.</summary>
    internal static Http1PoolSettings GetPoolSettings(ClusterConfig cluster, Dictionary<string, Http1PoolSettings> pools)
    {
        if (!pools.TryGetValue(cluster.Name, out Http1PoolSettings? settings))
        {
            settings = new Http1PoolSettings
            {
                MaxConnections = cluster.Limits.MaxConnections,
                MaxPendingRequests = cluster.Limits.MaxPendingRequests,
                IdleTimeout = cluster.IdleTimeout,
                MaxIdlePerEndpoint = cluster.MaxIdlePerEndpoint,
                ConnectTimeout = cluster.ConnectTimeout,
            };
            pools[cluster.Name] = settings;
        }
        return settings;
    }

    private static IHttpFilterFactory[] CheckFactories(IEnumerable<IHttpFilterFactory> factories)
    {
        IHttpFilterFactory[] all = [.. factories];
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (IHttpFilterFactory factory in all)
        {
            if (!keys.Add(factory.ConfigKey))
            {
                throw new InvalidOperationException($"two HTTP filter factories claim the rule key '{factory.ConfigKey}'");
            }
        }
        return all;
    }

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.HttpRouteFeatureNotApplied, Level = LogLevel.Warning,
        Message = "route {Table} rule {Rule}: {Key} is not applied by this build yet; the rule is served without it")]
    private partial void LogNotApplied(string table, string rule, string key);
}
