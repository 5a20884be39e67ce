using System.Collections.Concurrent;
using Meshy.Conf.Compilation;
using Meshy.Conf.Schema;
using Meshy.Engine.Observability;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.CircuitBreaking;
using Meshy.Engine.Upstream.Health;
using Meshy.Filters.Mirror;
using Meshy.Filters.Observability.AccessLog;
using Meshy.Filters.Observability.Metrics;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Observability;

/// <summary>
/// Compiles each snapshot's <see cref="ProxyTelemetry"/>, keeps one <see cref="AccessLogWriter"/> per
/// sink path for the process, and sets the scrape-time series (<c>meshy_active_connections</c>,
/// <c>meshy_active_requests</c>, <c>meshy_circuit_breaker_overflows_total</c>) just before each collection.
/// </summary>
internal sealed class ObservabilityCompiler : ITelemetryCompiler, IDisposable
{
    private readonly ObservabilityMetrics _metrics;
    private readonly ILoggerFactory _loggers;
    private readonly ConnectionTracker? _connections;
    private readonly int _accessLogCapacity;
    private readonly CircuitBreakerRegistry? _breakers;
    private readonly MirrorRegistry? _mirrors;
    private readonly ConcurrentDictionary<string, AccessLogWriter> _writers = new(StringComparer.Ordinal);
    private ClusterSnapshot[] _clusters = [];

    /// <summary>A compiler recording on <paramref name="metrics"/>.</summary>
    /// <param name="metrics">The metric families (one per process).</param>
    /// <param name="loggers">For sink and recording failures.</param>
    /// <param name="connections">Read at scrape time for <c>meshy_active_connections</c>; none in some tests.</param>
    /// <param name="accessLogCapacity">Lines buffered per sink before lines are dropped.</param>
    /// <param name="breakers">Read at scrape time for <c>meshy_circuit_breaker_overflows_total</c>; none in some tests.</param>
    /// <param name="mirrors">Read at scrape time for <c>meshy_mirror_requests_total</c>; none in some tests.</param>
    public ObservabilityCompiler(
        ObservabilityMetrics metrics,
        ILoggerFactory loggers,
        ConnectionTracker? connections = null,
        int accessLogCapacity = AccessLogWriter.DefaultCapacity,
        CircuitBreakerRegistry? breakers = null,
        MirrorRegistry? mirrors = null)
    {
        _breakers = breakers;
        _metrics = metrics;
        _loggers = loggers;
        _connections = connections;
        _accessLogCapacity = accessLogCapacity;
        _mirrors = mirrors;
        metrics.Registry.AddBeforeCollectCallback(UpdateGauges);
    }

    /// <inheritdoc />
    public IProxyTelemetry Compile(CompilationContext context)
    {
        ClusterSnapshot[] clusters = [.. context.Clusters.Values];
        // The gauges follow the most recently compiled snapshot (endpoint state outlives snapshots).
        Volatile.Write(ref _clusters, clusters);
        // Traffic to original destinations reports destination_service="PassthroughCluster" (Istio's); first, so a
        // configured cluster of that name takes its place.
        ClusterSnapshot[] destinations = [PassthroughCluster.Snapshot, .. clusters];
        var http = new DestinationTable<HttpSeriesSet>(destinations, "http", prefix => new HttpSeriesSet(_metrics, prefix));
        var grpc = new DestinationTable<HttpSeriesSet>(destinations, "grpc", prefix => new HttpSeriesSet(_metrics, prefix));
        var tcp = new DestinationTable<TcpSeriesSet>(destinations, "tcp", prefix => new TcpSeriesSet(_metrics, prefix));
        AccessLogConfig log = context.Config.AccessLog;
        AccessLogFormatter? accessLog = log.Enabled
            ? new AccessLogFormatter(AccessLogFields.Parse(log.Fields), GetWriter(log.Path))
            : null;
        return new ProxyTelemetry(http, grpc, tcp, accessLog, _loggers.CreateLogger<ProxyTelemetry>());
    }

    /// <summary>Flushes and closes every access-log sink (host shutdown).</summary>
    public void Dispose()
    {
        foreach (AccessLogWriter writer in _writers.Values)
        {
            writer.Dispose();
        }
    }

    /// <summary>The writer of sink <paramref name="path"/>, when a snapshot has used it.</summary>
    public AccessLogWriter? WriterOf(string path) => _writers.GetValueOrDefault(path);

    private AccessLogWriter GetWriter(string path) =>
        _writers.GetOrAdd(path, static (p, self) =>
            new AccessLogWriter(p, self._metrics.AccessLogDropped, self._loggers.CreateLogger<AccessLogWriter>(), self._accessLogCapacity), this);

    /// <summary>Outlier ejections and health-check probes, counted on the cluster's live state (no metric call on the request path).</summary>
    private void UpdateHealthCounters(ClusterSnapshot cluster)
    {
        if (cluster.Health is not { } health)
        {
            return;
        }
        if (cluster.OutlierDetector is not null || health.Ejections > 0)
        {
            _metrics.OutlierEjections.WithLabels(cluster.Name).IncTo(health.Ejections);
        }
        if (cluster.HealthCheck is not null)
        {
            _metrics.HealthChecks.WithLabels(cluster.Name, "success").IncTo(health.HealthChecks(HealthCheckResult.Success));
            _metrics.HealthChecks.WithLabels(cluster.Name, "failure").IncTo(health.HealthChecks(HealthCheckResult.Failure));
            _metrics.HealthChecks.WithLabels(cluster.Name, "timeout").IncTo(health.HealthChecks(HealthCheckResult.Timeout));
        }
    }

    private void UpdateGauges()
    {
        if (_connections is not null)
        {
            foreach (ListenerConnectionCounter listener in _connections.Listeners)
            {
                _metrics.ActiveConnections.WithLabels(listener.Listener).Set(listener.Active);
            }
        }
        foreach (ClusterSnapshot cluster in Volatile.Read(ref _clusters))
        {
            long active = 0;
            foreach (EndpointSnapshot endpoint in cluster.Endpoints)
            {
                active += endpoint.State.ActiveRequests;
            }
            _metrics.ActiveRequests.WithLabels(cluster.Name).Set(active);
            UpdateHealthCounters(cluster);
        }
        if (_breakers is not null)
        {
            foreach (ClusterCircuitBreaker breaker in _breakers.Breakers)
            {
                foreach (CircuitBreakerLimit limit in CircuitBreakerLimits.All)
                {
                    _metrics.CircuitBreakerOverflows.WithLabels(breaker.Cluster, CircuitBreakerLimits.Name(limit)).IncTo(breaker.Overflows(limit));
                }
            }
        }
        if (_mirrors is not null)
        {
            foreach (MirrorClusterState mirror in _mirrors.Clusters)
            {
                _metrics.MirrorRequests.WithLabels(mirror.Name, "sent").IncTo(mirror.Count(MirrorResult.Sent));
                _metrics.MirrorRequests.WithLabels(mirror.Name, "failed").IncTo(mirror.Count(MirrorResult.Failed));
                _metrics.MirrorRequests.WithLabels(mirror.Name, "abandoned").IncTo(mirror.Count(MirrorResult.Abandoned));
                _metrics.MirrorRequests.WithLabels(mirror.Name, "skipped").IncTo(mirror.Count(MirrorResult.Skipped));
            }
        }
    }
}
