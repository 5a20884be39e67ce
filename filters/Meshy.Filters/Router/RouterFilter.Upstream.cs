using System.Runtime.CompilerServices;
using Meshy.Engine.Http;
using Meshy.Engine.Tasks;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.Pools;
using Meshy.Filters.Http1;

namespace Meshy.Filters.Router;

/// <summary>
/// The one place the router looks at the cluster's upstream protocol (CONTRACT: clusters.protocol): a try
/// gets an <see cref="UpstreamStream"/> from the HTTP/1.1 pool (a connection lent whole) or from the HTTP/2
/// pool (a stream on a shared connection); everything after that is protocol-neutral.
/// </summary>
internal sealed partial class RouterFilter
{
    /// <summary>A stream for one try to <paramref name="endpoint"/>; <paramref name="fresh"/>: skip idle HTTP/1.1 connections.</summary>
    private ValueTask<UpstreamAcquireResult> AcquireAsync(HttpExchange exchange, RouteDestination destination, EndpointSnapshot endpoint, bool fresh)
    {
        if (destination.Cluster.Protocol == UpstreamProtocol.Http2)
        {
            return _http2Pools.GetPool(endpoint.State)
                .AcquireAsync(endpoint, destination.PoolSettings, connector, exchange.Aborted, destination.Breaker);
        }
        ValueTask<Http1PoolResult> acquire = pools.GetPool(endpoint.State)
            .AcquireAsync(endpoint, destination.PoolSettings, connector, exchange.Aborted, fresh, destination.Breaker);
        return acquire.IsCompletedSuccessfully ? new ValueTask<UpstreamAcquireResult>(FromHttp1(acquire.Result)) : AwaitHttp1Async(acquire);
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<UpstreamAcquireResult> AwaitHttp1Async(ValueTask<Http1PoolResult> acquire) =>
        FromHttp1(await acquire.ConfigureAwait(false));

    private static UpstreamAcquireResult FromHttp1(Http1PoolResult result)
    {
        if (!result.Succeeded)
        {
            return new UpstreamAcquireResult(result.Status, null, result.Failure, result.SocketError);
        }
        Http1PooledConnection lease = result.Connection;
        return new UpstreamAcquireResult(result.Status, Http1ClientCodec.For(lease));
    }

    /// <summary>
    /// True after a 501 local reply for a CONNECT to an HTTP/2 cluster: a tunnel is HTTP/1.1's (the connection
    /// itself becomes the tunnel), and extended CONNECT over HTTP/2 streams is not built.
    /// </summary>
    private static bool IsTunnelOverHttp2(HttpExchange exchange, RouteDestination destination)
    {
        if (!exchange.Request.IsConnect || destination.Cluster.Protocol != UpstreamProtocol.Http2)
        {
            return false;
        }
        exchange.SendLocalReply(501, HttpLocalReplies.TunnelOverHttp2);
        return true;
    }

    /// <summary>
    /// A counted retry of a request the upstream did not process, when the rule retries <c>refused-stream</c>
    /// (any method: CONTRACT says such a request may always be sent again) and a retry slot is free.
    /// </summary>
    private bool TryTakeRefusedRetry(HttpExchange exchange, RouterExchangeState state, RouteDestination destination, EndpointSnapshot endpoint,
        RetryPolicy? retry, int tries, out EndpointSnapshot? next)
    {
        next = null;
        if (retry is not { RetriesRefusedStream: true } || tries > retry.Attempts)
        {
            return false;
        }
        next = TakeRetry(exchange, state, destination, endpoint, tries, "refused-stream");
        return next is not null;
    }
}
