using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Tasks;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.LoadBalancing;
using Meshy.Engine.Upstream.Pools;
using Meshy.Filters.Http1;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Client;
using Meshy.Filters.TcpProxy;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Router;

/// <summary>
/// The terminal step of the HTTP filter chain: matches the request to a route table and rule, then
/// answers directly (<c>respond</c>) or forwards: a weighted destination, an endpoint by the cluster's
/// balancer, a pooled HTTP/1.1 connection or a stream on a pooled HTTP/2 connection (RouterFilter.Upstream.cs: the
/// only place the protocol matters), the request streamed up and the response head read back.
/// Failures become local replies with Envoy's response flags (CONTRACT: response_flags):
/// <list type="table">
/// <item><term>404 NR</term><description>no table for the Host, or no rule matched, on a connection without an
/// original destination (with one, the request passes through to it: <see cref="PassthroughRoute"/>)</description></item>
/// <item><term>503 UH</term><description>no destination or endpoint available</description></item>
/// <item><term>503 UO</term><description>circuit breaker: the cluster has <c>max_requests</c> in flight, or no connection
/// and the pending queue is full (RouterFilter.CircuitBreaking.cs)</description></item>
/// <item><term>503 UF</term><description>the connect failed</description></item>
/// <item><term>503 UC / UR</term><description>the upstream closed (FIN) / reset (RST) before a response head</description></item>
/// <item><term>502</term><description>the upstream's response head was malformed</description></item>
/// <item><term>504 UT</term><description>the rule's <c>timeout</c> passed first, or the last try outlived <c>per_try_timeout</c></description></item>
/// </list>
/// A failed try may be sent again under the rule's <c>retries</c> (RouterFilter.Retries.cs); the answer is then
/// the last try's outcome.
/// Compiled once per process and shared; per-request state is in <see cref="RouterExchangeState"/>.
/// </summary>
internal sealed partial class RouterFilter(
    UpstreamConnector connector,
    Http1PoolRegistry pools,
    TcpProxyMetrics tunnelMetrics,
    ILogger logger,
    TimeProvider? time = null,
    OriginalDestinationRegistry? originalDestinations = null,
    Http2PoolRegistry? http2Pools = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Http2PoolRegistry _http2Pools = http2Pools ?? new Http2PoolRegistry(pools, time, logger);
    private readonly OriginalDestinationRegistry _originalDestinations = originalDestinations ?? new OriginalDestinationRegistry(time);

    /// <summary>The pools this router takes connections from.</summary>
    public Http1PoolRegistry Pools => pools;

    /// <summary>The HTTP/2 pools (clusters with <c>protocol = "http2"</c>).</summary>
    public Http2PoolRegistry Http2Pools => _http2Pools;

    /// <summary>The endpoints of original destinations requests passed through to.</summary>
    public OriginalDestinationRegistry OriginalDestinations => _originalDestinations;

    /// <summary>
    /// Finds the rule for the request: a route's, else <see cref="PassthroughRoute.Rule"/> when the connection
    /// has an original destination; null after a 404 <c>NR</c> local reply. Sets <see cref="HttpExchange.Route"/> and
    /// starts the rule's <c>timeout</c>.
    /// </summary>
    public RouteRule? Match(HttpExchange exchange, VirtualHostTable hosts)
    {
        RouteTable? table = hosts.Find(exchange.Request.Authority);
        if (table is null || !table.TryMatch(exchange.Request, exchange.Connection.RemoteEndPoint.Address, out RouteRule? rule, out RouteMatch? match))
        {
            if (exchange.Connection.OriginalDestination is null)
            {
                exchange.SendLocalReply(404, HttpLocalReplies.NoRoute, ResponseFlags.NoRouteFound);
                return null;
            }
            // CONTRACT: on an original_destination listener the upstream is the original destination unless a route matches.
            rule = PassthroughRoute.Rule;
            match = RouteRule.MatchAll;
        }
        RouterExchangeState state = exchange.UpstreamState as RouterExchangeState ?? NewState(exchange);
        state.Matched = match;
        exchange.Route = rule;
        if (rule.Timeout is { } timeout)
        {
            // The whole request (CONTRACT: timeout): started here, before the rule's filters, so a fault
            // delay counts against it as much as every retry and backoff does.
            exchange.StartTimeout(timeout);
        }
        return rule;
    }

    /// <summary>
    /// Produces the response head of a matched request: a direct response, or the upstream's answer.
    /// After <see cref="ForwardOutcome.Response"/> with a proxied response the caller streams
    /// <see cref="HttpExchange.ResponseBody"/> and then calls <see cref="CompleteAsync"/>.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public async ValueTask<ForwardOutcome> ForwardAsync(HttpExchange exchange, RouteRule rule)
    {
        RouterExchangeState state = exchange.UpstreamState as RouterExchangeState ?? NewState(exchange);
        // A slot the connection's previous exchange failed to give back (it ended by an exception) must not leak.
        ExitCluster(state);
        state.Reset();
        RouteMatch match = state.Matched ?? RouteRule.MatchAll;

        // 0. the rule's own answers: a direct response or a redirect
        if (rule.Respond is { } respond)
        {
            exchange.SendDirectResponse(respond.Status, respond.Body);
            foreach ((byte[] name, byte[] value) in respond.Headers)
            {
                exchange.Response.Headers.Set(name, value);
            }
            rule.ResponseHeaders?.Apply(exchange.Response.Headers);
            return ForwardOutcome.Response;
        }
        if (rule.Redirect is { } redirect)
        {
            redirect.Apply(exchange, match);
            rule.ResponseHeaders?.Apply(exchange.Response.Headers);
            return ForwardOutcome.Response;
        }

        // 1. destination, then endpoint (CONTRACT: a destination without a healthy endpoint is skipped); a
        //    passthrough has one of each: the connection's original destination
        RouteDestination? destination;
        EndpointSnapshot? endpoint;
        if (rule.IsPassthrough)
        {
            destination = PickPassthrough(exchange, out endpoint);
        }
        else
        {
            destination = PickDestination(rule.Destinations!, state);
            endpoint = destination is null ? null : PickEndpoint(exchange, state, destination, exclude: null);
        }
        // The request belongs to its cluster from here on, so a 503 UH or UO is reported under it (#7);
        // when no destination has an available endpoint, under the rule's first.
        RouteDestination? chosen = destination ?? (rule.Destinations is { Destinations.Count: > 0 } all ? all.Destinations[0] : null);
        exchange.Cluster = chosen?.Cluster;
        exchange.Subset = chosen?.Subset;
        if (destination is null || endpoint is null)
        {
            exchange.SendLocalReply(503, HttpLocalReplies.NoHealthyUpstream, ResponseFlags.NoHealthyUpstream);
            return ForwardOutcome.Response;
        }
        exchange.Endpoint = endpoint;
        if (!TryEnterCluster(exchange, state, destination))
        {
            return ForwardOutcome.Response;
        }

        // 2. the request as the upstream sees it: rewrite, then header edits (after matching and balancing,
        //    which look at the request as the client sent it)
        rule.Rewrite?.Apply(exchange.Request, match);
        rule.RequestHeaders?.Apply(exchange.Request.Headers);

        // 3. the body the pump reads: a replayable copy when the rule may send the request again
        RetryPolicy? retry = rule.Retry;
        PrepareBody(exchange, state, retry);

        // 4. tries: a connection (idle, new, or one that frees up while pending), the request up, the
        //    response head back; a failed try may go again (5) or be the answer (6)
        try
        {
            if (IsTunnelOverHttp2(exchange, destination))
            {
                return ForwardOutcome.Response;
            }
            int tries = 1;                 // counted tries; the stale-connection retry (5a) is free
            bool fresh = false;
            bool staleRetried = false;
            UpstreamStream upstream;
            while (true)
            {
                if (retry is not null)
                {
                    SetAttemptCount(exchange.Request, tries);
                }
                UpstreamAcquireResult acquired = await AcquireAsync(exchange, destination, endpoint, fresh).ConfigureAwait(false);
                fresh = false;
                EndpointSnapshot? next;
                switch (acquired.Status)
                {
                    case Http1PoolStatus.Overflow:
                        exchange.SendLocalReply(503, HttpLocalReplies.Overflow, ResponseFlags.UpstreamOverflow);
                        return ForwardOutcome.Response;
                    case Http1PoolStatus.ConnectFailed:
                        LogConnectFailed(exchange.Connection.Id, destination.Cluster.Name, endpoint.Address, acquired.Failure, acquired.SocketError);
                        ReportGatewayFailure(destination, endpoint);
                        // 5b. the request never reached the upstream: any method may go again
                        if (retry is { RetriesConnectFailure: true } && tries <= retry.Attempts
                            && (next = TakeRetry(exchange, state, destination, endpoint, tries, "connect-failure")) is not null)
                        {
                            if (!await BackoffAsync(exchange, tries - 1).ConfigureAwait(false))
                            {
                                return AbortedOutcome(exchange);
                            }
                            endpoint = next;
                            exchange.Endpoint = next;
                            tries++;
                            continue;
                        }
                        exchange.SendLocalReply(503, HttpLocalReplies.ConnectFailure, ResponseFlags.UpstreamConnectionFailure);
                        return ForwardOutcome.Response;
                    case Http1PoolStatus.Canceled:
                        return AbortedOutcome(exchange);
                }
                upstream = acquired.Stream!;
                state.Upstream = upstream;
                state.Endpoint = endpoint.State;
                endpoint.State.RequestStarted();
                // Abort (timeout, client gone) resets the upstream: its pending reads and sends fail at once.
                state.AbortRegistration = exchange.Aborted.UnsafeRegister(static s => ((UpstreamStream)s!).Abort(), upstream);
                ArmPerTry(state, retry, upstream);
                upstream.ReadTimeout?.Start(destination.Cluster.ReadTimeout, _time);

                // the body streams up concurrently with the wait for the head (the upstream may answer early)
                bool received = false;
                Exception? failure = null;
                try
                {
                    ValueTask headSent = upstream.SendRequestHeadAsync(exchange.Request);
                    if (state.Body is null && !headSent.IsCompleted && upstream.ReadsWhileHeadSends)
                    {
                        // The head waits for the end of the engine's turn: the response cannot come before it goes,
                        // so one wait, for the response, covers both. A failed send is the try's failure either way.
                        try
                        {
                            received = await upstream.ReadResponseHeadAsync(exchange.Request.Method, exchange.Response).ConfigureAwait(false);
                        }
                        catch (Exception ex)
                        {
                            failure = ex;
                        }
                        try
                        {
                            await headSent.ConfigureAwait(false);
                        }
                        catch (Exception ex)
                        {
                            failure = ex;
                            received = false;
                        }
                    }
                    else
                    {
                        await headSent.ConfigureAwait(false);
                        if (state.Body is { } body)
                        {
                            state.Pumping = true;
                            state.BodyPump = PumpRequestBodyAsync(state, exchange, upstream, body);
                        }
                        received = await upstream.ReadResponseHeadAsync(exchange.Request.Method, exchange.Response).ConfigureAwait(false);
                    }
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
                // The cluster's read_timeout (the upstream silent too long) is answered as an expired try.
                bool readTimedOut = upstream.ReadTimeout?.Expired == true;
                bool perTryExpired = DisarmPerTry(state) | readTimedOut;
                if (received && !perTryExpired)
                {
                    destination.Cluster.OutlierDetector?.ReportStatus(endpoint.State, exchange.Response.StatusCode);
                    // 5c. a response head: the answer, unless its status is retried and a retry can go
                    if (retry is null || !retry.RetriesStatus(exchange.Response.StatusCode) || tries > retry.Attempts
                        || !retry.AllowsResend(exchange.Request.Method) || !CanResendBody(state, upstream)
                        || (next = TakeRetry(exchange, state, destination, endpoint, tries, "status")) is null)
                    {
                        break;
                    }
                    if (!await StopTryAsync(exchange, state).ConfigureAwait(false))
                    {
                        return await FailAsync(exchange, state, failure: null, perTryExpired: false).ConfigureAwait(false);
                    }
                }
                else if (!perTryExpired && upstream.Unprocessed && exchange.AbortReason == HttpAbortReason.None && CanResendBody(state, upstream)
                    && (TryTakeRefusedRetry(exchange, state, destination, endpoint, retry, tries, out next) || !staleRetried))
                {
                    // 5f. the upstream refused the stream or went away before processing it (GOAWAY): a retry
                    //     under the rule's refused-stream when it has one, else once for free, like 5a
                    if (!await StopTryAsync(exchange, state).ConfigureAwait(false))
                    {
                        return await FailAsync(exchange, state, failure, perTryExpired: false).ConfigureAwait(false);
                    }
                    PrepareNextTry(state);
                    if (next is null)
                    {
                        staleRetried = true;
                        continue;
                    }
                    if (!await BackoffAsync(exchange, tries - 1).ConfigureAwait(false))
                    {
                        return AbortedOutcome(exchange);
                    }
                    endpoint = next;
                    exchange.Endpoint = next;
                    tries++;
                    continue;
                }
                else if (!perTryExpired && !staleRetried && acquired.Status == Http1PoolStatus.Reused && IsStaleConnectionFailure(exchange, state, upstream, failure))
                {
                    // 5a. the keep-alive race: a reused connection the upstream had closed while idle
                    if (!await StopTryAsync(exchange, state).ConfigureAwait(false))
                    {
                        return await FailAsync(exchange, state, failure, perTryExpired: false).ConfigureAwait(false);
                    }
                    LogStaleRetried(exchange.Connection.Id, exchange.Cluster!.Name, exchange.Endpoint!.Address, failure?.GetType().Name ?? "end of stream");
                    PrepareNextTry(state);
                    staleRetried = true;
                    fresh = true;
                    continue;
                }
                else
                {
                    // 5d. no response head: reset, close, malformed head or an expired try
                    ReportTryFailure(exchange, destination, endpoint, perTryExpired);
                    string? timeout = !perTryExpired ? null : readTimedOut ? "read_timeout" : "per_try_timeout";
                    if (timeout is not null)
                    {
                        LogTryTimedOut(exchange.Connection.Id, destination.Cluster.Name, endpoint.Address, tries, timeout);
                    }
                    if (retry is null || tries > retry.Attempts || !RetriesFailure(retry, perTryExpired, failure)
                        || !retry.AllowsResend(exchange.Request.Method) || !CanResendBody(state, upstream)
                        || exchange.AbortReason != HttpAbortReason.None
                        || (next = TakeRetry(exchange, state, destination, endpoint, tries, timeout ?? "reset")) is null
                        || !await StopTryAsync(exchange, state).ConfigureAwait(false))
                    {
                        // 6. the failure is the answer
                        return await FailAsync(exchange, state, failure, perTryExpired).ConfigureAwait(false);
                    }
                }

                // 5e. the retry: a clean slate, the backoff, another endpoint when there is one
                PrepareNextTry(state);
                if (!await BackoffAsync(exchange, tries - 1).ConfigureAwait(false))
                {
                    return AbortedOutcome(exchange);
                }
                endpoint = next;
                exchange.Endpoint = next;
                tries++;
            }
            exchange.ResponseBody = exchange.Response.HasBody ? upstream.ResponseBody : null;
            rule.ResponseHeaders?.Apply(exchange.Response.Headers);
            return ForwardOutcome.Response;
        }
        finally
        {
            if (state.RetrySlot is { } slot)
            {
                state.RetrySlot = null;
                slot.ExitRetry();
            }
            if (state.Upstream is null)
            {
                // No response streams from an upstream (a local reply, the client gone): the upstream side is over.
                ExitCluster(state);
            }
        }
    }

    /// <summary>
    /// Ends the upstream side of a proxied exchange: stops the timeout, waits for the request body pump
    /// (cancelling it when the response ended first), and gives the connection back, reusable only when
    /// both messages were complete and neither side asked to close. Returns true when the whole request
    /// body was read from the client (otherwise the downstream connection cannot continue).
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public async ValueTask<bool> CompleteAsync(HttpExchange exchange, bool responseComplete)
    {
        exchange.StopTimeout();
        if (exchange.UpstreamState is not RouterExchangeState { Upstream: not null } state)
        {
            EndReplay(exchange.UpstreamState as RouterExchangeState);
            ExitCluster(exchange.UpstreamState as RouterExchangeState);
            return exchange.RequestBody is null || exchange.RequestBody.IsCompleted;
        }
        bool reusable = responseComplete && state.Upstream!.ResponseBody.IsCompleted && !exchange.Response.UpstreamCloses;
        await StopBodyPumpAsync(exchange, state, abortIfRunning: true).ConfigureAwait(false);
        EndReplay(state);
        reusable &= state.Upstream!.RequestSent && exchange.AbortReason == HttpAbortReason.None;
        Release(state, reusable);
        ExitCluster(state);
        return exchange.RequestBody is null || exchange.RequestBody.IsCompleted;
    }

    /// <summary>
    /// After a 101 (Upgrade) or a 2xx to CONNECT went downstream: bytes both ways between the client and
    /// the upstream until both end (the TCP proxy's session), then the upstream connection is closed.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    public async ValueTask TunnelAsync(HttpExchange exchange)
    {
        exchange.StopTimeout();
        var state = (RouterExchangeState)exchange.UpstreamState!;
        // Only HTTP/1.1 switches protocols (a 101 or a 2xx to CONNECT); an HTTP/2 stream never gets here.
        UpstreamConnection connection = ((Http1ClientCodec)state.Upstream!).Connection;
        await state.AbortRegistration.DisposeAsync().ConfigureAwait(false);
        var session = new TcpProxySession(exchange.Connection, connection, tunnelMetrics.ForCluster(exchange.Cluster!.Name));
        try
        {
            await session.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            exchange.ResponseFlags |= session.ResponseFlags;
            LogTunnelEnded(exchange.Connection.Id, exchange.Cluster.Name, connection.Sender.BytesSent, exchange.Connection.Sender.BytesSent);
            Release(state, reusable: false);
            EndReplay(state);
            ExitCluster(state);
        }
    }

    /// <summary>An endpoint of <paramref name="destination"/> by its balancer, avoiding <paramref name="exclude"/> when another exists.</summary>
    private EndpointSnapshot? PickEndpoint(HttpExchange exchange, RouterExchangeState state, RouteDestination destination, EndpointSnapshot? exclude)
    {
        bool hashed = false;
        ulong hash = 0;
        if (destination.Hash is { } hashPolicy)
        {
            hashed = hashPolicy.TryComputeHash(exchange.Request, exchange.Connection.RemoteEndPoint.Address, out hash);
        }
        var balancing = new LoadBalancerContext(_time.GetUtcNow().UtcTicks, hash, hashed, state.Panic);
        return destination.LoadBalancer.Pick(in balancing, exclude);
    }

    /// <summary>
    /// The passthrough destination and the endpoint of the connection's original destination (shared with every
    /// request to that address, so they share its pooled connections); no endpoint without an original destination.
    /// </summary>
    private RouteDestination PickPassthrough(HttpExchange exchange, out EndpointSnapshot? endpoint)
    {
        if (exchange.Connection.OriginalDestination is not { } original)
        {
            // Match only passes through with an original destination; a caller handing the rule over on
            // another connection gets 503 UH rather than a connection to nowhere.
            endpoint = null;
            return PassthroughRoute.Destination;
        }
        endpoint = _originalDestinations.Get(original, out bool kept);
        LogPassthrough(exchange.Connection.Id, original);
        return kept ? PassthroughRoute.Destination : PassthroughRoute.UnpooledDestination;
    }

    private static RouterExchangeState NewState(HttpExchange exchange)
    {
        var state = new RouterExchangeState();
        exchange.UpstreamState = state;
        return state;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private static async ValueTask PumpRequestBodyAsync(RouterExchangeState state, HttpExchange exchange, UpstreamStream upstream, IHttpBodySource body)
    {
        try
        {
            await upstream.SendRequestBodyAsync(body).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            state.BodyFailure = ex;
            state.BodyFailedDownstream = upstream.ReadingBody;
            if (upstream.ReadingBody && ex is not Http1ProtocolException && !state.StoppingForRetry)
            {
                exchange.Abort(HttpAbortReason.DownstreamDisconnect);
            }
            // The upstream cannot get the rest of the body: end its side of the exchange now.
            upstream.Abort();
        }
    }

    private async ValueTask StopBodyPumpAsync(HttpExchange exchange, RouterExchangeState state, bool abortIfRunning)
    {
        if (!state.Pumping)
        {
            return;
        }
        state.Pumping = false;
        if (!state.BodyPump.IsCompleted && abortIfRunning)
        {
            // The response is over but the body is not: neither connection can be reused. Wake the pump
            // wherever it waits: on the client (cancel the read) or on the upstream (reset).
            state.Upstream!.Abort();
            RequestBodyReads.CancelPending(exchange);
        }
        await state.BodyPump.ConfigureAwait(false);
    }

    private void Release(RouterExchangeState state, bool reusable)
    {
        state.AbortRegistration.Dispose();
        UpstreamStream upstream = state.Upstream!;
        state.Upstream = null;
        upstream.Release(reusable);
        state.Endpoint?.RequestFinished();
        state.Endpoint = null;
    }

    /// <summary>Maps a failure before the response head to a local reply (or to nothing when the client is gone).</summary>
    private async ValueTask<ForwardOutcome> FailAsync(HttpExchange exchange, RouterExchangeState state, Exception? failure, bool perTryExpired)
    {
        state.Upstream!.Abort();
        await StopBodyPumpAsync(exchange, state, abortIfRunning: true).ConfigureAwait(false);
        Release(state, reusable: false);
        if (exchange.AbortReason != HttpAbortReason.None)
        {
            return AbortedOutcome(exchange);
        }
        if (state.BodyFailedDownstream && state.BodyFailure is Http1ProtocolException)
        {
            // The client's body framing broke (a bad chunk size or extension): a downstream protocol error,
            // flagged DPE like the parser's rejections of a head.
            exchange.SendLocalReply(400, HttpLocalReplies.MalformedRequestBody, ResponseFlags.DownstreamProtocolError);
            return ForwardOutcome.Response;
        }
        if (perTryExpired)
        {
            // Envoy's answer to an expired per-try timeout that is not retried: 504 UT.
            exchange.SendLocalReply(504, HttpLocalReplies.Timeout, ResponseFlags.UpstreamRequestTimeout);
            return ForwardOutcome.Response;
        }
        LogUpstreamFailed(exchange.Connection.Id, exchange.Cluster!.Name, exchange.Endpoint!.Address, failure?.GetType().Name ?? "end of stream", failure?.Message ?? "closed before a response head");
        switch (failure)
        {
            case null:
                exchange.SendLocalReply(503, HttpLocalReplies.ConnectionTermination, ResponseFlags.UpstreamConnectionTermination);
                break;
            case Http1ProtocolException or Http2ProtocolException:
                exchange.SendLocalReply(502, HttpLocalReplies.MalformedResponse);
                break;
            default:
                exchange.SendLocalReply(503, HttpLocalReplies.RemoteReset, ResponseFlags.UpstreamRemoteReset);
                break;
        }
        return ForwardOutcome.Response;
    }

    private static ForwardOutcome AbortedOutcome(HttpExchange exchange)
    {
        if (exchange.AbortReason == HttpAbortReason.Timeout)
        {
            exchange.SendLocalReply(504, HttpLocalReplies.Timeout, ResponseFlags.UpstreamRequestTimeout);
            return ForwardOutcome.Response;
        }
        exchange.ResponseFlags |= ResponseFlags.DownstreamConnectionTermination;
        return ForwardOutcome.DownstreamGone;
    }

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.HttpUpstreamConnectFailed, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: connect to {Cluster}/{Endpoint} failed: {Failure} ({SocketError})")]
    private partial void LogConnectFailed(long connectionId, string cluster, string endpoint, ConnectFailure failure, SocketError socketError);

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.HttpUpstreamFailed, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: upstream {Cluster}/{Endpoint} failed before a response head: {Failure}: {Reason}")]
    private partial void LogUpstreamFailed(long connectionId, string cluster, string endpoint, string failure, string reason);

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.HttpPassthrough, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: no route; passing the request through to original destination {Destination}")]
    private partial void LogPassthrough(long connectionId, System.Net.IPEndPoint destination);

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.HttpTunnelEnded, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: tunnel to {Cluster} ended, {Up} bytes up, {Down} bytes down")]
    private partial void LogTunnelEnded(long connectionId, string cluster, long up, long down);
}
