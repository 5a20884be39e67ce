using System.Net.Sockets;
using Meshy.Engine.Logging;
using Meshy.Engine.Transport;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.TcpProxy;

internal sealed partial class TcpProxyFilter
{
    [LoggerMessage(EventId = EventIds.TcpProxyNoHealthyUpstream, Level = LogLevel.Debug, Message = "connection {ConnectionId}: cluster {Cluster} has no available endpoint (UH); closing")]
    private partial void LogNoHealthyUpstream(long connectionId, string cluster);

    [LoggerMessage(EventId = EventIds.TcpProxyConnectFailed, Level = LogLevel.Debug, Message = "connection {ConnectionId}: connect to {Cluster}/{Endpoint} failed: {Failure} ({SocketError}), attempt {Attempt} of {MaxAttempts}")]
    private partial void LogConnectFailed(long connectionId, string cluster, string endpoint, ConnectFailure failure, SocketError socketError, int attempt, int maxAttempts);

    [LoggerMessage(EventId = EventIds.TcpProxySessionStarted, Level = LogLevel.Debug, Message = "connection {ConnectionId}: proxying to {Cluster}/{Endpoint}")]
    private partial void LogSessionStarted(long connectionId, string cluster, string endpoint);

    [LoggerMessage(EventId = EventIds.TcpProxySessionEnded, Level = LogLevel.Debug, Message = "connection {ConnectionId}: session ended, {Received} bytes up, {Sent} bytes down, aborted: {Aborted}")]
    private partial void LogSessionEnded(long connectionId, long received, long sent, bool aborted);

    [LoggerMessage(EventId = EventIds.TcpProxyOverflow, Level = LogLevel.Debug, Message = "connection {ConnectionId}: cluster {Cluster} has {MaxConnections} connections open (limits.max_connections, UO); closing")]
    private partial void LogOverflow(long connectionId, string cluster, int maxConnections);
}
