using Meshy.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.HttpConnectionManager;

internal sealed partial class Http2ServerConnection
{
    [LoggerMessage(EventId = EventIds.HttpRequestCompleted, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: HTTP/2 {Method} {Authority}{Path} -> {Status} flags {Flags} route {Route} cluster {Cluster} endpoint {Endpoint}")]
    private static partial void LogCompleted(ILogger logger, long connectionId, string method, string authority, string path, int status, string flags, string route, string cluster, string endpoint);

    [LoggerMessage(EventId = EventIds.Http2ConnectionError, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: HTTP/2 connection error {Code}: {Reason}; GOAWAY and close")]
    private static partial void LogConnectionError(ILogger logger, long connectionId, string code, string reason);

    [LoggerMessage(EventId = EventIds.Http2StreamError, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: HTTP/2 stream {StreamId} reset with {Code}: {Reason}")]
    private static partial void LogStreamError(ILogger logger, long connectionId, int streamId, string code, string reason);

    [LoggerMessage(EventId = EventIds.Http2GoAwayReceived, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: client sent GOAWAY {Code} (last stream {LastStreamId}); closing once in-flight streams finish")]
    private static partial void LogGoAwayReceived(ILogger logger, long connectionId, string code, int lastStreamId);

    [LoggerMessage(EventId = EventIds.Http2ResponseAborted, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: HTTP/2 stream {StreamId} response failed; stream reset: {Reason}")]
    private static partial void LogResponseAborted(ILogger logger, long connectionId, int streamId, string reason);

    [LoggerMessage(EventId = EventIds.Http2ConnectionFailed, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: HTTP/2 connection ended by an error")]
    private static partial void LogConnectionFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(EventId = EventIds.Http2Flood, Level = LogLevel.Information,
        Message = "connection {ConnectionId}: HTTP/2 client exceeded the limit on {What}; GOAWAY ENHANCE_YOUR_CALM")]
    private static partial void LogFlood(ILogger logger, long connectionId, string what);
}
