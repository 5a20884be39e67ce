namespace Meshy.Engine.Logging;

/// <summary>
/// Every log event id of Meshy, in one place so that an id names one event forever (log pipelines
/// filter on them). Blocks by component:
/// <list type="bullet">
/// <item>1000–1099 configuration (load, reload, watcher)</item>
/// <item>1100–1199 host (run, drain, signals)</item>
/// <item>2000–2099 transport: listeners, connections, drain</item>
/// <item>2100–2199 upstream: endpoints, health, outlier detection, pools</item>
/// <item>3000–3099 TCP proxy filter</item>
/// <item>4000–4099 HTTP: connection manager, codecs, router</item>
/// <item>4100–4199 HTTP/2 downstream connections</item>
/// <item>4200–4249 HTTP/2 upstream connections</item>
/// <item>5100–5199 HTTP router: retries</item>
/// <item>5300–5349 HTTP mirror (shadow requests)</item>
/// <item>6000–6099 observability: metrics, access log, tracing</item>
/// <item>7000–7099 transparent sidecar: original destination, protocol sniffing</item>
/// <item>9000–9099 admin endpoint</item>
/// </list>
/// NOTE: ids are never reused; a removed event leaves a gap.
/// </summary>
internal static class EventIds
{
    // 1000–1099 configuration
    public const int ConfigLoaded = 1001;
    public const int ConfigEmbeddedDefault = 1002;
    public const int ConfigReloaded = 1003;
    public const int ConfigReloadRejected = 1004;
    public const int ConfigDiagnostic = 1005;
    public const int ConfigApplyFailed = 1006;
    public const int ConfigNothingToReload = 1007;
    public const int ConfigWatchReloadFailed = 1010;

    // 1100–1199 host
    public const int HostDraining = 1101;
    public const int HostDrainCut = 1102;
    public const int HostDrained = 1103;
    public const int HostSignalReloadFailed = 1104;

    // 9000–9099 admin
    public const int AdminListening = 9001;
    public const int AdminAcceptFailed = 9002;
    public const int AdminHandlerFailed = 9003;

    // 2000–2099 transport
    public const int ListenerStarted = 2000;
    public const int ListenerStopped = 2001;
    public const int ListenerAcceptFailed = 2002;
    public const int ConnectionFailed = 2003;
    public const int ConnectionRejectedOverLimit = 2004;
    public const int ListenerDraining = 2005;
    public const int ListenerDrained = 2006;
    public const int ListenerDrainCut = 2007;
    public const int ListenerKept = 2008;
    public const int ListenerRebinding = 2009;
    public const int ListenerBindFailed = 2010;
    public const int ListenerNotInSnapshot = 2011;
    public const int DrainCancellationFailed = 2012;
    public const int ApplyWhileDraining = 2013;

    // 2200–2249 upstream: outlier detection and panic mode
    public const int OutlierEjected = 2200;
    public const int OutlierEjectionRefused = 2201;
    public const int OutlierReturned = 2202;
    public const int OutlierReviewFailed = 2203;
    public const int UpstreamPanicEntered = 2210;
    public const int UpstreamPanicLeft = 2211;

    // 2250–2299 upstream: active health checks
    public const int HealthCheckUnhealthy = 2250;
    public const int HealthCheckHealthy = 2251;
    public const int HealthCheckProbeFailed = 2252;

    // 3000–3099 TCP proxy
    public const int TcpProxyNoHealthyUpstream = 3000;
    public const int TcpProxyConnectFailed = 3001;
    public const int TcpProxySessionStarted = 3002;
    public const int TcpProxySessionEnded = 3003;

    // 4000–4099 HTTP
    public const int HttpRequestRejected = 4000;
    public const int HttpRequestCompleted = 4001;
    public const int HttpRequestHeaderTimeout = 4002;
    public const int HttpConnectionFailed = 4003;
    public const int HttpUpstreamConnectFailed = 4004;
    public const int HttpUpstreamFailed = 4005;
    public const int HttpRouteMatchUnsupported = 4006;
    public const int HttpResponseAborted = 4007;
    public const int HttpTunnelEnded = 4008;
    public const int HttpRouteFeatureNotApplied = 4009;
    // 4050– HTTP/1.1 connection handling (kept apart from the router's ids above, which grow separately)
    public const int HttpUpstreamStaleRetried = 4050;
    // 4100–4199 HTTP/2 downstream connections
    public const int Http2ConnectionError = 4100;
    public const int Http2StreamError = 4101;
    public const int Http2GoAwayReceived = 4102;
    public const int Http2ResponseAborted = 4103;
    public const int Http2ConnectionFailed = 4104;
    public const int Http2Flood = 4105;

    // 4200–4249 HTTP/2 upstream connections
    public const int Http2UpstreamGoAway = 4200;
    public const int Http2UpstreamProtocolError = 4201;
    public const int Http2UpstreamClosed = 4202;

    // 5100–5199 HTTP router: retries
    public const int HttpRetrying = 5100;
    public const int HttpRetryOverflow = 5101;
    public const int HttpPerTryTimeout = 5102;

    // 5200–5299 HTTP resilience: circuit breaking, fault injection
    public const int HttpRequestOverflow = 5200;
    public const int FaultDelayInjected = 5201;
    public const int FaultAbortInjected = 5202;
    public const int TcpProxyOverflow = 5203;

    // 5300–5349 HTTP mirror
    public const int MirrorSkipped = 5300;
    public const int MirrorFailed = 5301;
    public const int MirrorAbandoned = 5302;
    public const int MirrorNoEndpoint = 5303;
    public const int MirrorTimedOut = 5304;
    public const int MirrorConnectFailed = 5305;

    // 7000–7099 transparent sidecar
    public const int OriginalDestinationMissing = 7000;
    public const int OriginalDestinationLoop = 7001;
    public const int SniffedProtocol = 7002;
    public const int PassthroughConnectFailed = 7003;
    public const int PassthroughSessionStarted = 7004;
    public const int PassthroughSessionEnded = 7005;
    // 7010–7019 HTTP passthrough to the original destination
    public const int HttpPassthrough = 7010;

    // 6000–6099 observability
    public const int AccessLogSinkFailed = 6000;
    public const int TelemetryRecordFailed = 6001;
}
