using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Upstream.CircuitBreaking;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Router;

/// <summary>
/// The cluster's <c>limits.max_requests</c> (CONTRACT: limits): a request holds one slot of its cluster from
/// the moment the router commits to the cluster (before a connection is sought) until the upstream side of
/// the exchange ends: the response streamed, a failure answered, the tunnel closed or the client gone.
/// Kept in the router, not the codec, so every HTTP version counts against the same limit.
/// </summary>
internal sealed partial class RouterFilter
{
    /// <summary>
    /// Takes a <c>max_requests</c> slot of <paramref name="destination"/>'s cluster. False after a 503 <c>UO</c>
    /// local reply: past the limit a request fails at once, it never waits.
    /// </summary>
    private bool TryEnterCluster(HttpExchange exchange, RouterExchangeState state, RouteDestination destination)
    {
        if (destination.Breaker is not { } breaker)
        {
            return true;
        }
        if (!breaker.TryEnterRequest(destination.MaxRequests))
        {
            LogRequestOverflow(exchange.Connection.Id, breaker.Cluster, destination.MaxRequests);
            exchange.SendLocalReply(503, HttpLocalReplies.RequestOverflow, ResponseFlags.UpstreamOverflow);
            return false;
        }
        state.RequestSlot = breaker;
        return true;
    }

    /// <summary>Gives the request's <c>max_requests</c> slot back, if it holds one; safe to call more than once.</summary>
    private static void ExitCluster(RouterExchangeState? state)
    {
        if (state?.RequestSlot is { } breaker)
        {
            state.RequestSlot = null;
            breaker.ExitRequest();
        }
    }

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.HttpRequestOverflow, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: {Cluster} has {MaxRequests} requests in flight (limits.max_requests); answered 503 UO")]
    private partial void LogRequestOverflow(long connectionId, string cluster, int maxRequests);
}
