using System.Runtime.CompilerServices;
using Meshy.Engine.Http;
using Meshy.Filters.Http1;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Router;

internal sealed partial class RouterFilter
{
    /// <summary>
    /// Decides whether a request that failed on a reused pooled connection goes again on a new one, and if
    /// so undoes the attempt (connection given back broken, body pump stopped without consuming).
    /// </summary>
    /// <remarks>
    /// The keep-alive race (RFC 9112 §9.3.1): the upstream may close an idle connection at any time, and
    /// its FIN can cross our next request. Nothing of the response arrived, so the upstream did not process
    /// the request; like nginx and haproxy we retry once, and the race is not an upstream failure. Only safe
    /// while the request can still be sent whole: no body, or none of it taken from the client yet.
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> TryRewindForRetryAsync(HttpExchange exchange, RouterExchangeState state, Exception? failure)
    {
        Http1ClientCodec codec = state.Codec!;
        // 1. only a transport end before any response byte: a malformed head (502) or our own abort is final
        if (codec.ResponseStarted || failure is Http1ProtocolException or OperationCanceledException
            || exchange.AbortReason != HttpAbortReason.None || codec.BodyTaken)
        {
            return false;
        }

        // 2. stop the body pump where it waits for the client; the body reader stays where it was
        AbortUpstream(codec.Connection);
        if (state.Pumping)
        {
            state.StoppingForRetry = true;
            await StopBodyPumpAsync(exchange, state, abortIfRunning: true).ConfigureAwait(false);
            state.StoppingForRetry = false;
        }
        if (codec.BodyTaken || exchange.AbortReason != HttpAbortReason.None
            || (state.BodyFailure is not null and not OperationCanceledException))
        {
            // The pump took body bytes before it stopped, or the client failed meanwhile: the failure
            // stands, and the caller maps it (and releases the connection).
            return false;
        }
        Release(state, reusable: false);

        // 3. clean slate for the next attempt
        LogStaleRetried(exchange.Connection.Id, exchange.Cluster!.Name, exchange.Endpoint!.Address, failure?.GetType().Name ?? "end of stream");
        state.BodyFailure = null;
        state.BodyFailedDownstream = false;
        state.BodyPump = default;
        state.Codec = null;
        return true;
    }

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.HttpUpstreamStaleRetried, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: reused connection to {Cluster}/{Endpoint} was closed by the upstream ({Failure}); retrying on a new connection")]
    private partial void LogStaleRetried(long connectionId, string cluster, string endpoint, string failure);
}
