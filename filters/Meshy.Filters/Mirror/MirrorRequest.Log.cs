using System.Net.Sockets;
using Meshy.Engine.Logging;
using Meshy.Engine.Transport;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Mirror;

internal sealed partial class MirrorRequest
{
    [LoggerMessage(EventId = EventIds.MirrorSkipped, Level = LogLevel.Debug,
        Message = "mirror copy to {Cluster} skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string cluster, string reason);

    [LoggerMessage(EventId = EventIds.MirrorFailed, Level = LogLevel.Debug,
        Message = "mirror copy to {Cluster}/{Endpoint} failed: {Failure}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string cluster, string endpoint, string failure, string reason);

    [LoggerMessage(EventId = EventIds.MirrorConnectFailed, Level = LogLevel.Debug,
        Message = "mirror copy to {Cluster}/{Endpoint} failed: connect failed: {Failure} ({SocketError})")]
    private static partial void LogConnectFailed(ILogger logger, string cluster, string endpoint, ConnectFailure failure, SocketError socketError);

    [LoggerMessage(EventId = EventIds.MirrorAbandoned, Level = LogLevel.Debug,
        Message = "mirror copy to {Cluster} abandoned: it fell a window behind the request body, or the body ended incomplete")]
    private static partial void LogAbandoned(ILogger logger, string cluster);

    [LoggerMessage(EventId = EventIds.MirrorNoEndpoint, Level = LogLevel.Debug,
        Message = "mirror copy to {Cluster} failed: no available endpoint")]
    private static partial void LogNoEndpoint(ILogger logger, string cluster);

    [LoggerMessage(EventId = EventIds.MirrorTimedOut, Level = LogLevel.Debug,
        Message = "mirror copy to {Cluster} timed out; its connection is reset")]
    private static partial void LogTimedOut(ILogger logger, string cluster);
}
