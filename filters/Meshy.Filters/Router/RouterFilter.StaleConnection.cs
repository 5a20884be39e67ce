using Meshy.Engine.Http;
using Meshy.Filters.Http1;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Router;

internal sealed partial class RouterFilter
{
    /// <summary>
    /// True when a try on a reused pooled connection failed the way the keep-alive race fails: the
    /// transport ended before any response byte, while the request can still be sent whole.
    /// </summary>
    /// <remarks>
    /// The keep-alive race (RFC 9112 §9.3.1): the upstream may close an idle connection at any time, and
    /// its FIN can cross our next request. Nothing of the response arrived, so the upstream did not process
    /// the request; like nginx and haproxy we send it once more on a new connection, and the race is neither
    /// an upstream failure nor one of the rule's retries (it is free and not counted). Only while the request
    /// can be sent whole: no body, none of it taken from the client yet, or a replayable copy.
    /// </remarks>
    private static bool IsStaleConnectionFailure(HttpExchange exchange, RouterExchangeState state, UpstreamStream upstream, Exception? failure) =>
        !upstream.ResponseStarted
        // An HTTP/2 RST_STREAM is the upstream's explicit answer, not a race (a refused one is handled as such, 5f).
        && failure is not (Http1ProtocolException or Http2.Http2ProtocolException or Http2.Client.Http2StreamResetException or OperationCanceledException)
        && exchange.AbortReason == HttpAbortReason.None
        && CanResendBody(state, upstream);

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.HttpUpstreamStaleRetried, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: reused connection to {Cluster}/{Endpoint} was closed by the upstream ({Failure}); retrying on a new connection")]
    private partial void LogStaleRetried(long connectionId, string cluster, string endpoint, string failure);
}
