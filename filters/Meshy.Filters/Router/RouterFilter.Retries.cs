using System.Buffers.Text;
using System.Runtime.CompilerServices;
using Meshy.Engine.Http;
using Meshy.Engine.Tasks;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Filters.Http1;
using Meshy.Filters.Http2;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Router;

/// <summary>
/// The rule's <c>retries</c> (CONTRACT: retries): which failed tries go again, the replay of the request
/// body, the per-try timeout, the backoff and the cluster's <c>max_retries</c> circuit breaker.
/// </summary>
internal sealed partial class RouterFilter
{
    /// <summary>The attempt header sent to the upstream on every try of a rule with retries (1 for the first).</summary>
    private static ReadOnlySpan<byte> AttemptCountHeader => "x-envoy-attempt-count"u8;

    /// <summary>
    /// Chooses what the body pump reads. A request the rule may send again after it reached the upstream
    /// (a retried method, a body announced no larger than the replay buffer) reads through a replayable
    /// copy; any other body streams as it is, zero-copy, and is retried only before it reached an upstream.
    /// </summary>
    private static void PrepareBody(HttpExchange exchange, RouterExchangeState state, RetryPolicy? retry)
    {
        IHttpBodySource? body = exchange.Request.HasBody ? exchange.RequestBody : null;
        state.Body = body;
        if (body is null || retry is not { Attempts: > 0 } || !retry.AllowsResend(exchange.Request.Method)
            || exchange.Request.ContentLength > RetryPolicy.ReplayBufferSize)
        {
            return;
        }
        ReplayableRequestBody replay = state.Replay ??= new ReplayableRequestBody();
        replay.Start(body);
        state.Replaying = true;
        state.Body = replay;
    }

    /// <summary>Gives the replay buffer back to the pool once the exchange no longer reads the body.</summary>
    private static void EndReplay(RouterExchangeState? state)
    {
        if (state is { Replaying: true, Replay: { } replay })
        {
            state.Replaying = false;
            state.Body = null;
            replay.Return();
        }
    }

    /// <summary>True while the request can be sent again whole: no body, none of it taken yet, or a complete copy.</summary>
    private static bool CanResendBody(RouterExchangeState state, UpstreamStream upstream) =>
        state.Body is null || (state.Replaying ? state.Replay!.Replayable : !upstream.BodyTaken);

    /// <summary>Whether a try that ended without a usable response head is retried under <paramref name="retry"/>.</summary>
    private static bool RetriesFailure(RetryPolicy retry, bool perTryExpired, Exception? failure) => failure switch
    {
        _ when perTryExpired => retry.RetriesPerTryTimeout,
        Http1ProtocolException or Http2ProtocolException => retry.RetriesStatus(502),     // answered as 502
        OperationCanceledException => false,                    // our own abort: the exchange is over
        _ => retry.RetriesReset,                                // closed (UC) or reset (UR) before a head
    };

    /// <summary>Writes <c>x-envoy-attempt-count: N</c> into the request head (replacing the client's, if any).</summary>
    private static void SetAttemptCount(HttpRequestHead request, int tries)
    {
        Span<byte> digits = stackalloc byte[11];
        Utf8Formatter.TryFormat(tries, digits, out int written);
        request.Headers.Set(AttemptCountHeader, digits[..written]);
    }

    /// <summary>
    /// Decides the endpoint of the next try (another one when the balancer has one) and takes a slot of the
    /// cluster's retry budget; null when there is no endpoint or no slot (the current failure stands).
    /// </summary>
    private EndpointSnapshot? TakeRetry(HttpExchange exchange, RouterExchangeState state, RouteDestination destination, EndpointSnapshot current, int tries, string reason)
    {
        EndpointSnapshot? next = PickEndpoint(exchange, state, destination, exclude: current);
        if (next is null)
        {
            return null;
        }
        if (state.RetrySlot is null && destination.Breaker is { } breaker)
        {
            // Envoy's max_retries circuit breaker: one slot per retried request, held until it is answered.
            if (!breaker.TryEnterRetry(destination.MaxRetries))
            {
                LogRetryOverflow(exchange.Connection.Id, destination.Cluster.Name, destination.MaxRetries);
                return null;
            }
            state.RetrySlot = breaker;
        }
        LogRetrying(exchange.Connection.Id, destination.Cluster.Name, current.Address, reason, tries + 1, next.Address);
        return next;
    }

    /// <summary>
    /// Abandons the current try: resets its connection and stops the body pump without losing a client
    /// byte. True when the request can still be sent again; false when the failure stands (the client
    /// failed meanwhile, or the body outgrew the replay copy). The connection is not released here.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> StopTryAsync(HttpExchange exchange, RouterExchangeState state)
    {
        UpstreamStream upstream = state.Upstream!;
        upstream.Abort();
        if (state.Pumping)
        {
            state.Pumping = false;
            state.StoppingForRetry = true;
            if (!state.BodyPump.IsCompleted)
            {
                // Wake the pump where it waits: the upstream send failed with the reset above; a read of the
                // client is cancelled without consuming (through a token for a replayable copy, which
                // cannot linger into the next try's read).
                if (state.Replaying)
                {
                    state.Replay!.CancelRead();
                }
                else if (upstream.ReadingBody)
                {
                    RequestBodyReads.CancelPending(exchange);
                }
            }
            await state.BodyPump.ConfigureAwait(false);
            state.StoppingForRetry = false;
        }
        if (state.BodyFailedDownstream && state.BodyFailure is not (null or OperationCanceledException or Http1ProtocolException))
        {
            // The client went away while we stopped the pump: nobody to answer.
            exchange.Abort(HttpAbortReason.DownstreamDisconnect);
        }
        bool clientFailed = state.BodyFailedDownstream && state.BodyFailure is not (null or OperationCanceledException);
        return exchange.AbortReason == HttpAbortReason.None && !clientFailed && CanResendBody(state, upstream);
    }

    /// <summary>After <see cref="StopTryAsync"/> said yes: the broken connection goes back, the body starts over.</summary>
    private void PrepareNextTry(RouterExchangeState state)
    {
        Release(state, reusable: false);
        state.BodyFailure = null;
        state.BodyFailedDownstream = false;
        state.BodyPump = default;
        if (state.Replaying)
        {
            state.Replay!.Rewind();
        }
    }

    /// <summary>
    /// Waits the full-jitter backoff before retry number <paramref name="retry"/> (0 for the first). False when
    /// the exchange was aborted meanwhile (the route timeout or the client gone): no more tries.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<bool> BackoffAsync(HttpExchange exchange, int retry)
    {
        TimeSpan delay = RetryPolicy.Backoff(retry, Random.Shared.NextDouble());
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, _time, exchange.Aborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
        return exchange.AbortReason == HttpAbortReason.None;
    }

    /// <summary>Starts the per-try timeout of a try on <paramref name="upstream"/>, when the rule has one.</summary>
    private void ArmPerTry(RouterExchangeState state, RetryPolicy? retry, UpstreamStream upstream)
    {
        if (retry?.PerTryTimeout is not { } perTry)
        {
            return;
        }
        state.PerTryClock = _time;
        state.PerTryTimer ??= _time.CreateTimer(static s => OnPerTryTimer((RouterExchangeState)s!), state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        state.PerTryConnection = upstream;
        // Half the timeout of slack: a callback of an earlier try that was already running when it was
        // disarmed fires long before this deadline, a timely one never does.
        state.PerTryDeadline = _time.GetTimestamp() + (long)(perTry.TotalSeconds / 2 * _time.TimestampFrequency);
        Volatile.Write(ref state.PerTryState, 0);
        state.PerTryTimer.Change(perTry, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Stops the per-try timeout; true when it expired first (the try was abandoned).</summary>
    private static bool DisarmPerTry(RouterExchangeState state)
    {
        if (state.PerTryTimer is not { } timer)
        {
            return false;
        }
        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return Interlocked.Exchange(ref state.PerTryState, 2) == 1;
    }

    private static void OnPerTryTimer(RouterExchangeState state)
    {
        if (state.PerTryClock is not { } clock || clock.GetTimestamp() < Volatile.Read(ref state.PerTryDeadline))
        {
            return;
        }
        if (Interlocked.CompareExchange(ref state.PerTryState, 1, 0) == 0 && state.PerTryConnection is { } upstream)
        {
            // The try is abandoned: its connection (or stream) is reset (never reused) and the head read fails at once.
            upstream.Abort();
        }
    }

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.HttpRetrying, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: {Cluster}/{Endpoint} failed ({Reason}); try {Try} goes to {Next}")]
    private partial void LogRetrying(long connectionId, string cluster, string endpoint, string reason, int @try, string next);

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.HttpRetryOverflow, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: no retry to {Cluster}: {MaxRetries} retries already in flight (limits.max_retries)")]
    private partial void LogRetryOverflow(long connectionId, string cluster, int maxRetries);

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.HttpPerTryTimeout, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: try {Try} to {Cluster}/{Endpoint} got no response head within {Timeout}; abandoned")]
    private partial void LogTryTimedOut(long connectionId, string cluster, string endpoint, int @try, string timeout);
}
