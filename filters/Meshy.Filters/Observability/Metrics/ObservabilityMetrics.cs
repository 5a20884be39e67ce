using Prometheus;

namespace Meshy.Filters.Observability.Metrics;

/// <summary>
/// The metric families of CONTRACT.md's Istio series and Meshy's observability series, created once per
/// process on one registry (the default one in <c>meshy run</c>, a private one in tests). Children are
/// resolved per snapshot by <see cref="DestinationTable{T}"/> (<see cref="HttpSeriesSet"/>, <see cref="TcpSeriesSet"/>), never per request.
/// </summary>
internal sealed class ObservabilityMetrics
{
    /// <summary>Families on <paramref name="registry"/>; the process-wide default registry when null.</summary>
    public ObservabilityMetrics(CollectorRegistry? registry = null)
    {
        Registry = registry ?? Prometheus.Metrics.DefaultRegistry;
        MetricFactory factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        Requests = factory.CreateCounter("istio_requests_total", "HTTP requests, by destination and outcome.",
            new CounterConfiguration { LabelNames = MetricLabels.Http, ExemplarBehavior = ExemplarBehavior.NoExemplars() });
        RequestDuration = factory.CreateHistogram("istio_request_duration_milliseconds", "HTTP request duration, head received to response sent, in milliseconds.",
            new HistogramConfiguration { LabelNames = MetricLabels.Http, Buckets = IstioBuckets.DurationMilliseconds, ExemplarBehavior = ExemplarBehavior.NoExemplars() });
        RequestBytes = factory.CreateHistogram("istio_request_bytes", "HTTP request body sizes, in bytes.",
            new HistogramConfiguration { LabelNames = MetricLabels.Http, Buckets = IstioBuckets.Bytes, ExemplarBehavior = ExemplarBehavior.NoExemplars() });
        ResponseBytes = factory.CreateHistogram("istio_response_bytes", "HTTP response sizes as sent downstream (head and body), in bytes.",
            new HistogramConfiguration { LabelNames = MetricLabels.Http, Buckets = IstioBuckets.Bytes, ExemplarBehavior = ExemplarBehavior.NoExemplars() });
        TcpSentBytes = factory.CreateCounter("istio_tcp_sent_bytes_total", "TCP proxy bytes sent downstream (the response direction), counted when a session ends.",
            new CounterConfiguration { LabelNames = MetricLabels.Destination, ExemplarBehavior = ExemplarBehavior.NoExemplars() });
        TcpReceivedBytes = factory.CreateCounter("istio_tcp_received_bytes_total", "TCP proxy bytes received from downstream and forwarded (the request direction), counted when a session ends.",
            new CounterConfiguration { LabelNames = MetricLabels.Destination, ExemplarBehavior = ExemplarBehavior.NoExemplars() });
        TcpOpened = factory.CreateCounter("istio_tcp_connections_opened_total", "TCP proxy sessions opened.",
            new CounterConfiguration { LabelNames = MetricLabels.Destination, ExemplarBehavior = ExemplarBehavior.NoExemplars() });
        TcpClosed = factory.CreateCounter("istio_tcp_connections_closed_total", "TCP proxy sessions closed, by response flags.",
            new CounterConfiguration { LabelNames = MetricLabels.TcpClosed, ExemplarBehavior = ExemplarBehavior.NoExemplars() });
        ActiveConnections = factory.CreateGauge("meshy_active_connections", "Downstream connections open now, by listener.",
            new GaugeConfiguration { LabelNames = ["listener"] });
        ActiveRequests = factory.CreateGauge("meshy_active_requests", "Requests and TCP sessions in flight to a cluster now.",
            new GaugeConfiguration { LabelNames = ["cluster"] });
        CircuitBreakerOverflows = factory.CreateCounter("meshy_circuit_breaker_overflows_total", "Times a cluster's circuit-breaker limit (clusters[].limits) overflowed, by limit.",
            new CounterConfiguration { LabelNames = ["cluster", "limit"], ExemplarBehavior = ExemplarBehavior.NoExemplars() });
        OutlierEjections = factory.CreateCounter("meshy_outlier_ejections_total", "Endpoints ejected by outlier detection, by cluster.",
            new CounterConfiguration { LabelNames = ["cluster"], ExemplarBehavior = ExemplarBehavior.NoExemplars() });
        HealthChecks = factory.CreateCounter("meshy_health_checks_total", "Active health-check probes, by cluster and result (success, failure, timeout).",
            new CounterConfiguration { LabelNames = ["cluster", "result"], ExemplarBehavior = ExemplarBehavior.NoExemplars() });
        AccessLogDropped = factory.CreateCounter("meshy_access_log_dropped_total", "Access-log lines dropped because the sink fell behind.",
            new CounterConfiguration { ExemplarBehavior = ExemplarBehavior.NoExemplars() });
        MirrorRequests = factory.CreateCounter("meshy_mirror_requests_total", "Mirrored request copies, by mirror cluster and outcome (sent, failed, abandoned, skipped).",
            new CounterConfiguration { LabelNames = ["cluster", "result"], ExemplarBehavior = ExemplarBehavior.NoExemplars() });
    }

    /// <summary>The registry the families live on (scraped by admin <c>/metrics</c>).</summary>
    public CollectorRegistry Registry { get; }

    /// <summary><c>istio_requests_total</c>.</summary>
    public Counter Requests { get; }

    /// <summary><c>istio_request_duration_milliseconds</c>.</summary>
    public Histogram RequestDuration { get; }

    /// <summary><c>istio_request_bytes</c>.</summary>
    public Histogram RequestBytes { get; }

    /// <summary><c>istio_response_bytes</c>.</summary>
    public Histogram ResponseBytes { get; }

    /// <summary><c>istio_tcp_sent_bytes_total</c>.</summary>
    public Counter TcpSentBytes { get; }

    /// <summary><c>istio_tcp_received_bytes_total</c>.</summary>
    public Counter TcpReceivedBytes { get; }

    /// <summary><c>istio_tcp_connections_opened_total</c>.</summary>
    public Counter TcpOpened { get; }

    /// <summary><c>istio_tcp_connections_closed_total</c>.</summary>
    public Counter TcpClosed { get; }

    /// <summary><c>meshy_active_connections{listener}</c>, set at scrape time.</summary>
    public Gauge ActiveConnections { get; }

    /// <summary><c>meshy_active_requests{cluster}</c>, set at scrape time.</summary>
    public Gauge ActiveRequests { get; }

    /// <summary><c>meshy_circuit_breaker_overflows_total{cluster,limit}</c>, brought up to the breakers' counts at scrape time.</summary>
    public Counter CircuitBreakerOverflows { get; }
    /// <summary><c>meshy_outlier_ejections_total{cluster}</c>, brought up to the clusters' own counters at scrape time.</summary>
    public Counter OutlierEjections { get; }

    /// <summary><c>meshy_health_checks_total{cluster,result}</c>, brought up to the clusters' own counters at scrape time.</summary>
    public Counter HealthChecks { get; }

    /// <summary><c>meshy_access_log_dropped_total</c>.</summary>
    public Counter AccessLogDropped { get; }

    /// <summary><c>meshy_mirror_requests_total{cluster,result}</c>, set at scrape time.</summary>
    public Counter MirrorRequests { get; }
}
