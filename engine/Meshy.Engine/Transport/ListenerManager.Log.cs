using System.Net;
using Meshy.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace Meshy.Engine.Transport;

public sealed partial class ListenerManager
{
    [LoggerMessage(EventId = EventIds.ListenerKept, Level = LogLevel.Debug, Message = "listener {Listener} keeps its socket on {EndPoint}")]
    private partial void LogKept(string listener, IPEndPoint endPoint);

    [LoggerMessage(EventId = EventIds.ListenerRebinding, Level = LogLevel.Information, Message = "listener {Listener} moves from {Previous} to {Next}")]
    private partial void LogRebinding(string listener, IPEndPoint previous, IPEndPoint next);

    [LoggerMessage(EventId = EventIds.ListenerBindFailed, Level = LogLevel.Error, Message = "{Failure}")]
    private partial void LogBindFailed(string failure);

    [LoggerMessage(EventId = EventIds.ApplyWhileDraining, Level = LogLevel.Information, Message = "draining: listeners of {Source} not applied")]
    private partial void LogApplyWhileDraining(string source);
}
