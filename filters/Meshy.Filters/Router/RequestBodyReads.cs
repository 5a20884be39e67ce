using Meshy.Engine.Http;
using Meshy.Filters.Http2.Connection;

namespace Meshy.Filters.Router;

/// <summary>Wakes a request body read that waits on the client, whatever the downstream protocol.</summary>
internal static class RequestBodyReads
{
    /// <summary>
    /// Cancels the pending read of <paramref name="exchange"/>'s request body without consuming: HTTP/1.1
    /// reads the body straight from the connection's pipe, so its read is the connection's; an HTTP/2
    /// stream's body has a pipe of its own (cancelling the connection's read would wake the frame loop
    /// shared by every stream instead).
    /// </summary>
    public static void CancelPending(HttpExchange exchange)
    {
        if (exchange.RequestBody is Http2RequestBody stream)
        {
            stream.CancelPendingRead();
            return;
        }
        exchange.Connection.Transport.Input.CancelPendingRead();
    }
}
