using Meshy.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.HttpConnectionManager;

internal sealed partial class Http1ServerConnection
{
    [LoggerMessage(EventId = EventIds.HttpRequestRejected, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: request rejected with {Status}: {Reason}")]
    private static partial void LogRejected(ILogger logger, long connectionId, int status, string reason);

    [LoggerMessage(EventId = EventIds.HttpRequestCompleted, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: {Method} {Authority}{Path} -> {Status} flags {Flags} route {Route} cluster {Cluster} endpoint {Endpoint}")]
    private static partial void LogCompleted(ILogger logger, long connectionId, string method, string authority, string path, int status, string flags, string route, string cluster, string endpoint);

    [LoggerMessage(EventId = EventIds.HttpRequestHeaderTimeout, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: request head not complete within {Timeout}; 408")]
    private static partial void LogHeaderTimeout(ILogger logger, long connectionId, TimeSpan timeout);

    [LoggerMessage(EventId = EventIds.HttpResponseAborted, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: response body failed after the head was sent; closing: {Reason}")]
    private static partial void LogResponseAborted(ILogger logger, long connectionId, string reason);

    [LoggerMessage(EventId = EventIds.HttpConnectionFailed, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: HTTP connection ended by an error")]
    private static partial void LogConnectionFailed(ILogger logger, long connectionId, Exception exception);
}
