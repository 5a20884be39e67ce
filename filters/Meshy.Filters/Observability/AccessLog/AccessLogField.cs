namespace Meshy.Filters.Observability.AccessLog;

/// <summary>An access-log field (<c>[access_log] fields</c>); see <c>AccessLogConfig.KnownFields</c> for the names.</summary>
internal enum AccessLogField : byte
{
    Time,
    Listener,
    Protocol,
    Method,
    Authority,
    Path,
    Route,
    Rule,
    Cluster,
    Subset,
    Endpoint,
    Status,
    ResponseFlags,
    BytesReceived,
    BytesSent,
    Duration,
    RequestId,
    DownstreamAddress,
    UserAgent,
    UpstreamTime,
    TraceId,
}
