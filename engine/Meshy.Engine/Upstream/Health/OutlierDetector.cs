using System.Collections.Immutable;
using Meshy.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace Meshy.Engine.Upstream.Health;

/// <summary>
/// Passive outlier detection of one cluster (<c>outlier_detection</c>), compiled per snapshot over its
/// endpoints: the router and the TCP proxy report each try's outcome, and an endpoint whose failures in a
/// row reach a threshold is ejected at once (Envoy's consecutive-5xx and consecutive-gateway-failure
/// detectors). What must outlive the snapshot lives elsewhere: the runs and ejection in
/// <see cref="EndpointState"/>, the counters and the lock in <see cref="ClusterHealth"/>.
/// </summary>
/// <remarks>
/// <para>What counts: a 5xx answer extends the 5xx run; 502, 503 and 504 also extend the gateway run (any
/// other 5xx ends it); a gateway failure (connect failure, reset or close before a response head, malformed
/// head, timeout) extends both, as Envoy does with local-origin errors not split out. Any other answer, or a
/// TCP connect that succeeds, ends both runs.</para>
/// <para>Ejection lasts <c>base_ejection_time</c> × the endpoint's multiplier (one more per ejection), capped
/// at <see cref="OutlierDetectionSettings.MaxEjectionTime"/>. It never takes out more than
/// <c>max_ejection_percent</c> of the endpoints (at least one); a refused ejection is tried again on the next
/// failure. The endpoint takes traffic again as soon as its time is up; <see cref="Review"/>, every
/// <c>interval</c>, records the return and shrinks the multiplier of endpoints that stayed in service.</para>
/// <para>Reporting a success costs one or two reads; a failure a few interlocked operations. Only the
/// ejection itself (rare) takes the lock and scans the endpoints.</para>
/// </remarks>
public sealed partial class OutlierDetector(
    OutlierDetectionSettings settings,
    ImmutableArray<EndpointSnapshot> endpoints,
    ClusterHealth health,
    TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The cluster's <c>outlier_detection</c>.</summary>
    public OutlierDetectionSettings Settings => settings;

    /// <summary>The cluster's live health.</summary>
    public ClusterHealth Health => health;

    /// <summary>A success: a non-5xx answer or a TCP connect.</summary>
    public void ReportSuccess(EndpointState endpoint) => endpoint.ResetConsecutiveFailures();

    /// <summary>An answer with <paramref name="status"/>.</summary>
    public void ReportStatus(EndpointState endpoint, int status)
    {
        if (status is < 500 or > 599)
        {
            endpoint.ResetConsecutiveFailures();
            return;
        }
        RecordFailure(endpoint, gateway: status is 502 or 503 or 504);
    }

    /// <summary>A failure before any answer: connect failure, reset or close, malformed head, timeout.</summary>
    public void ReportGatewayFailure(EndpointState endpoint) => RecordFailure(endpoint, gateway: true);

    private void RecordFailure(EndpointState endpoint, bool gateway)
    {
        long now = _time.GetUtcNow().UtcTicks;
        if (endpoint.EjectedUntilTicks > now)
        {
            // A try that started before the ejection: the endpoint is already out.
            return;
        }
        int fiveXx = endpoint.AddConsecutive5xx();
        int gatewayRun = 0;
        if (gateway)
        {
            gatewayRun = endpoint.AddConsecutiveGatewayError();
        }
        else
        {
            endpoint.ResetConsecutiveGatewayErrors();
        }
        if (settings.Consecutive5xx > 0 && fiveXx >= settings.Consecutive5xx)
        {
            TryEject(endpoint, "consecutive_5xx", fiveXx, now);
        }
        else if (settings.ConsecutiveGatewayErrors > 0 && gatewayRun >= settings.ConsecutiveGatewayErrors)
        {
            TryEject(endpoint, "consecutive_gateway_errors", gatewayRun, now);
        }
    }

    /// <summary>Ejects <paramref name="endpoint"/> unless it is out already or the cluster is at <c>max_ejection_percent</c>.</summary>
    private bool TryEject(EndpointState endpoint, string trigger, int run, long now)
    {
        lock (health.EjectionLock)
        {
            if (endpoint.EjectedUntilTicks > now)
            {
                return false;
            }
            int ejected = 0;
            foreach (EndpointSnapshot other in endpoints)
            {
                if (other.State.EjectedUntilTicks > now)
                {
                    ejected++;
                }
            }
            int allowed = settings.MaxEjected(endpoints.Length);
            if (ejected >= allowed)
            {
                LogEjectionRefused(health.Logger, health.Name, endpoint.Address, trigger, run, ejected, endpoints.Length, settings.MaxEjectionPercent);
                return false;
            }
            TimeSpan duration = settings.EjectionTime(endpoint.EjectionMultiplier + 1);
            int multiplier = endpoint.Eject(now + duration.Ticks);
            health.CountEjection();
            LogEjected(health.Logger, health.Name, endpoint.Address, trigger, run, duration, multiplier);
            return true;
        }
    }

    /// <summary>
    /// The periodic review (every <c>interval</c>): an endpoint whose ejection time is up is recorded as back
    /// in service; an endpoint in service for the whole interval has its multiplier shrunk by one.
    /// </summary>
    public void Review()
    {
        long now = _time.GetUtcNow().UtcTicks;
        lock (health.EjectionLock)
        {
            foreach (EndpointSnapshot endpoint in endpoints)
            {
                EndpointState state = endpoint.State;
                long until = state.EjectedUntilTicks;
                if (until == 0)
                {
                    state.DecayEjectionMultiplier();
                }
                else if (until <= now)
                {
                    state.Return();
                    LogReturned(health.Logger, health.Name, state.Address, state.EjectionMultiplier);
                }
            }
        }
    }

    [LoggerMessage(EventId = EventIds.OutlierEjected, Level = LogLevel.Warning,
        Message = "cluster {Cluster}: ejected endpoint {Endpoint} for {Duration} ({Trigger}: {Run} in a row; ejection multiplier {Multiplier})")]
    private static partial void LogEjected(ILogger logger, string cluster, string endpoint, string trigger, int run, TimeSpan duration, int multiplier);

    [LoggerMessage(EventId = EventIds.OutlierEjectionRefused, Level = LogLevel.Debug,
        Message = "cluster {Cluster}: endpoint {Endpoint} reached {Trigger} ({Run} in a row) but {Ejected} of {Endpoints} endpoints are ejected already (max_ejection_percent {Percent})")]
    private static partial void LogEjectionRefused(ILogger logger, string cluster, string endpoint, string trigger, int run, int ejected, int endpoints, double percent);

    [LoggerMessage(EventId = EventIds.OutlierReturned, Level = LogLevel.Information,
        Message = "cluster {Cluster}: endpoint {Endpoint} is back in service after its ejection (multiplier {Multiplier})")]
    private static partial void LogReturned(ILogger logger, string cluster, string endpoint, int multiplier);
}
