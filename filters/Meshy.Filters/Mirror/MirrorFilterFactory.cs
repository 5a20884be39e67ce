using Meshy.Conf.Compilation;
using Meshy.Conf.Schema;
using Meshy.Engine.Http;
using Meshy.Engine.Runtime;
using Meshy.Engine.Upstream;
using Meshy.Filters.Router;

namespace Meshy.Filters.Mirror;

/// <summary>
/// Compiles a rule's <c>mirror = { cluster, subset, percent }</c> into a <see cref="MirrorFilter"/>. Registered
/// last, so filters that answer locally (fault injection) run first and their requests are not mirrored.
/// </summary>
internal sealed class MirrorFilterFactory(MirrorRegistry registry, IRandomSource? random = null) : IHttpFilterFactory
{
    private readonly IRandomSource _random = random ?? SharedRandomSource.Instance;

    /// <inheritdoc />
    public string ConfigKey => "mirror";

    /// <inheritdoc />
    public IHttpFilter? Create(RouteRuleConfig rule, CompilationContext context)
    {
        // A rule that redirects or responds sends nothing upstream, so there is nothing to shadow.
        if (rule.Mirror is not { } mirror || rule.To.IsEmpty)
        {
            return null;
        }
        ClusterSnapshot cluster = context.Clusters[mirror.Cluster];
        ClusterConfig config = context.Config.Clusters.First(c => c.Name == mirror.Cluster);
        var settings = new MirrorSettings
        {
            Cluster = cluster,
            Subset = mirror.Subset is null ? null : cluster.Subsets[mirror.Subset],
            Percent = mirror.Percent,
            PoolSettings = RouteTableCompiler.GetPoolSettings(config, []),
            MaxInFlight = config.Limits.MaxRequests,
            Timeout = rule.Timeout ?? MirrorSettings.DefaultTimeout,
            State = registry.ForCluster(mirror.Cluster),
        };
        return new MirrorFilter(settings, _random);
    }
}
