using System.Net;
using Meshy.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace Meshy.Engine.Transport;

/// <summary>Log events of <c>original_destination</c> listeners (ids 7000–7099).</summary>
internal static partial class OriginalDestinationLog
{
    [LoggerMessage(EventId = EventIds.OriginalDestinationMissing, Level = LogLevel.Warning,
        Message = "listener {Listener}: connection {ConnectionId} from {Remote} has no original destination (not redirected by iptables, or conntrack is not loaded); closed")]
    public static partial void Missing(ILogger logger, string listener, long connectionId, IPEndPoint remote);

    [LoggerMessage(EventId = EventIds.OriginalDestinationLoop, Level = LogLevel.Warning,
        Message = "listener {Listener}: connection {ConnectionId} from {Remote} was sent to the listener itself ({Destination}): no REDIRECT happened or it loops; closed")]
    public static partial void Loop(ILogger logger, string listener, long connectionId, IPEndPoint remote, IPEndPoint destination);
}
