using System.Collections.Immutable;

namespace Meshy.Conf.Schema;

/// <summary>
/// The whole configuration file: every table of <c>meshy.toml</c> as typed, immutable values with
/// defaults applied. Produced by <see cref="Loading.ConfigLoader"/> only when the file has no problem.
/// </summary>
public sealed record MeshyConfig
{
    /// <summary>The embedded default: admin on 127.0.0.1:15000, no listeners, nothing else.</summary>
    public static MeshyConfig Default { get; } = new();

    /// <summary><c>[admin]</c>: the admin endpoint.</summary>
    public AdminConfig Admin { get; init; } = AdminConfig.Default;

    /// <summary><c>[runtime]</c>: process-wide limits and the drain timeout.</summary>
    public RuntimeConfig Runtime { get; init; } = RuntimeConfig.Default;

    /// <summary><c>[access_log]</c>: disabled when the table is absent.</summary>
    public AccessLogConfig AccessLog { get; init; } = AccessLogConfig.Disabled;

    /// <summary><c>[[listeners]]</c>, in file order. Names and addresses are unique.</summary>
    public ImmutableArray<ListenerConfig> Listeners { get; init; } = [];

    /// <summary><c>[[routes]]</c>: route tables (virtual hosts), in file order. Names are unique.</summary>
    public ImmutableArray<RouteTableConfig> Routes { get; init; } = [];

    /// <summary><c>[[clusters]]</c>, in file order. Names are unique.</summary>
    public ImmutableArray<ClusterConfig> Clusters { get; init; } = [];
}
