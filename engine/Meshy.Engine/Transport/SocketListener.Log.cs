using System.Net;
using System.Net.Sockets;
using Meshy.Engine.Logging;
using Meshy.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Meshy.Engine.Transport;

internal sealed partial class SocketListener
{
    [LoggerMessage(EventId = EventIds.ListenerStarted, Level = LogLevel.Information, Message = "listener {Listener} ({Protocol}) listening on {EndPoint}")]
    private partial void LogStarted(string listener, IPEndPoint endPoint, ListenerProtocol protocol);

    [LoggerMessage(EventId = EventIds.ListenerStopped, Level = LogLevel.Information, Message = "listener {Listener} stopped accepting on {EndPoint}")]
    private partial void LogStopped(string listener, IPEndPoint endPoint);

    [LoggerMessage(EventId = EventIds.ListenerAcceptFailed, Level = LogLevel.Warning, Message = "listener {Listener}: accept failed ({Error}); still accepting")]
    private partial void LogAcceptFailed(string listener, SocketError error, Exception exception);

    [LoggerMessage(EventId = EventIds.ConnectionFailed, Level = LogLevel.Debug, Message = "listener {Listener}: connection {ConnectionId} ended with an error")]
    internal partial void LogConnectionFailed(string listener, long connectionId, Exception exception);

    [LoggerMessage(EventId = EventIds.ConnectionRejectedOverLimit, Level = LogLevel.Debug, Message = "listener {Listener}: runtime.max_connections ({MaxConnections}) reached, connection closed")]
    private partial void LogRejectedOverLimit(string listener, int maxConnections);

    [LoggerMessage(EventId = EventIds.ListenerDraining, Level = LogLevel.Information, Message = "listener {Listener}: draining {Count} connection(s) for up to {Timeout}")]
    private partial void LogDraining(string listener, int count, TimeSpan timeout);

    [LoggerMessage(EventId = EventIds.ListenerDrained, Level = LogLevel.Information, Message = "listener {Listener}: drained, no connection left")]
    private partial void LogDrained(string listener);

    [LoggerMessage(EventId = EventIds.ListenerDrainCut, Level = LogLevel.Warning, Message = "listener {Listener}: cut {Count} connection(s) still open after the drain")]
    private partial void LogCut(string listener, int count);

    [LoggerMessage(EventId = EventIds.ListenerNotInSnapshot, Level = LogLevel.Debug, Message = "listener {Listener} is not in the current snapshot on this socket; new connections use the snapshot it was last applied with")]
    private partial void LogNotInSnapshot(string listener);

    [LoggerMessage(EventId = EventIds.DrainCancellationFailed, Level = LogLevel.Warning, Message = "listener {Listener}: a drain callback failed")]
    private partial void LogDrainCallbackFailed(string listener, Exception exception);
}
