using Meshy.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace Meshy.Engine.Upstream.Health;

/// <summary>
/// The live health bookkeeping of one cluster, kept across reloads by <see cref="ClusterHealthRegistry"/>
/// (like <see cref="EndpointState"/> for an endpoint): the ejection and probe counters exported at scrape
/// time, the lock that serialises ejections, and whether traffic is routed in panic mode.
/// </summary>
public sealed partial class ClusterHealth(string name, ILogger logger)
{
    private readonly long[] _healthChecks = new long[3];
    private long _ejections;
    private int _panic;

    /// <summary>The cluster's name.</summary>
    public string Name { get; } = name;

    /// <summary>Where ejections, returns, probe transitions and panic are logged.</summary>
    internal ILogger Logger { get; } = logger;

    /// <summary>Held while an ejection is decided, so two at once cannot both pass <c>max_ejection_percent</c>.</summary>
    internal Lock EjectionLock { get; } = new();

    /// <summary>Ejections ever made in this cluster (<c>meshy_outlier_ejections_total</c>).</summary>
    public long Ejections => Volatile.Read(ref _ejections);

    /// <summary>
    /// True while requests to this cluster are routed in panic mode: the last pick found no available endpoint
    /// among the destinations it could use and spread the traffic over all of them anyway.
    /// </summary>
    public bool Panic => Volatile.Read(ref _panic) != 0;

    /// <summary>Probes ever made with <paramref name="result"/> (<c>meshy_health_checks_total</c>).</summary>
    public long HealthChecks(HealthCheckResult result) => Volatile.Read(ref _healthChecks[(int)result]);

    internal void CountEjection() => Interlocked.Increment(ref _ejections);

    internal void CountHealthCheck(HealthCheckResult result) => Interlocked.Increment(ref _healthChecks[(int)result]);

    /// <summary>A pick had to ignore health; logged once per episode. Writes nothing shared when already in panic.</summary>
    public void EnterPanic()
    {
        if (Volatile.Read(ref _panic) == 0 && Interlocked.Exchange(ref _panic, 1) == 0)
        {
            LogPanicEntered(Logger, Name);
        }
    }

    /// <summary>A pick found an available endpoint again. Costs one read in the common case (not in panic).</summary>
    public void LeavePanic()
    {
        if (Volatile.Read(ref _panic) != 0 && Interlocked.Exchange(ref _panic, 0) == 1)
        {
            LogPanicLeft(Logger, Name);
        }
    }

    [LoggerMessage(EventId = EventIds.UpstreamPanicEntered, Level = LogLevel.Warning,
        Message = "cluster {Cluster}: no endpoint available (all unhealthy or ejected): panic mode, routing to every endpoint")]
    private static partial void LogPanicEntered(ILogger logger, string cluster);

    [LoggerMessage(EventId = EventIds.UpstreamPanicLeft, Level = LogLevel.Information,
        Message = "cluster {Cluster}: an endpoint is available again; panic mode over")]
    private static partial void LogPanicLeft(ILogger logger, string cluster);
}
