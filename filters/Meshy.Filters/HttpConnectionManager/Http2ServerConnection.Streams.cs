using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Tasks;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Connection;
using Meshy.Filters.Http2.Frames;
using Meshy.Filters.Router;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.HttpConnectionManager;

/// <summary>Serving one stream: the same route, filter and router path as an HTTP/1.1 request, then the response as frames.</summary>
internal sealed partial class Http2ServerConnection
{
    private static readonly byte[] HeaderListTooLarge = "request header list too large\n"u8.ToArray();
    private static readonly byte[] ConnectNotSupported = "CONNECT is not supported over HTTP/2\n"u8.ToArray();
    private static readonly byte[] RequestTargetTooLong = "request target too long\n"u8.ToArray();

    /// <summary>Serves a stream whose request head was decoded, on the frame loop until its first wait.</summary>
    /// <remarks>
    /// <para>Inline, not queued to the thread pool: routing and handing the request to the upstream take
    /// microseconds, and the hop to a pool thread and back cost more than that (h2c on one core: 41k to 44k
    /// requests per second, 24.4 to 22.8 µs of CPU per request). The frame loop goes on once the stream
    /// waits for anything.</para>
    /// <para>Not an async method: nothing awaits a stream's serving, and a fire-and-forget task would be
    /// allocated per stream. The pooled <see cref="ServeExchangeAsync"/> is continued with a delegate the
    /// (pooled) stream keeps.</para>
    /// </remarks>
    private void Serve(Http2Stream stream)
    {
        // An async method never throws here: even an exception before its first await is in the ValueTask.
        ValueTask serving = ServeExchangeAsync(stream);
        if (serving.IsCompleted)
        {
            EndServing(stream, serving);
            return;
        }
        stream.Serving = serving;
        serving.GetAwaiter().UnsafeOnCompleted(stream.ServingDone ??= NewServingDone(stream));
    }

    // Its own method: a lambda in Serve would make every call allocate the captured stream's closure.
    private Action NewServingDone(Http2Stream stream) => () => EndServing(stream, stream.TakeServing());

    /// <summary>Takes the outcome of the stream's serving (exactly once) and frees the stream.</summary>
    private void EndServing(Http2Stream stream, ValueTask serving)
    {
        try
        {
            serving.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogResponseAborted(_logger, _connection.Id, stream.Id, ex.Message);
            AbortStream(stream, Http2ErrorCode.InternalError, sendReset: true);
        }
        finally
        {
            EndServing(stream);
        }
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private async ValueTask ServeExchangeAsync(Http2Stream stream)
    {
        // 1. the request, as the frame loop decoded it on the snapshot current then
        var manager = (HttpConnectionManager)stream.Manager!;
        HttpExchange exchange = stream.Exchange;
        exchange.ResponseBytes = 0;
        HttpRequestHead request = exchange.Request;
        ForwardingHeaders.Apply(request.Headers, _clientAddress);
        if (request.HasBody)
        {
            exchange.RequestBody = stream.Body;
        }

        // 2. route, filters, forward (or the proxy's own answer)
        RouterFilter router = manager.Router;
        RouteRule? rule = null;
        ForwardOutcome outcome = ForwardOutcome.Response;
        if (stream.LocalStatus != 0)
        {
            byte[] reason = stream.LocalStatus switch
            {
                431 => HeaderListTooLarge,
                414 => RequestTargetTooLong,
                _ => ConnectNotSupported,
            };
            exchange.SendLocalReply(stream.LocalStatus, reason, ResponseFlags.DownstreamProtocolError);
        }
        else
        {
            rule = router.Match(exchange, manager.Hosts);
            if (rule is not null)
            {
                FilterStatus status = await rule.Filters.OnRequestHeadersAsync(exchange).ConfigureAwait(false);
                if (status == FilterStatus.Continue)
                {
                    outcome = await router.ForwardAsync(exchange, rule).ConfigureAwait(false);
                }
                if (outcome == ForwardOutcome.Response)
                {
                    await rule.Filters.OnResponseHeadersAsync(exchange).ConfigureAwait(false);
                }
            }
        }
        if (outcome == ForwardOutcome.DownstreamGone)
        {
            AbortStream(stream, Http2ErrorCode.Cancel, sendReset: true);
            await router.CompleteAsync(exchange, responseComplete: false).ConfigureAwait(false);
            Completed(rule, exchange);
            return;
        }

        // 3. the response: HEADERS, DATA from the upstream's buffers, trailers. A proxied body streams in this
        //    method, not one of its own: its sends then suspend this method only, one completion hop fewer per stream.
        exchange.ResponseStarted = true;
        exchange.ResponseStartTimestamp = TurnClock.GetTimestamp();
        HttpResponseHead response = exchange.Response;
        bool complete = false;
        try
        {
            if (exchange.IsLocalReply || !response.HasBody || exchange.ResponseBody is not { } body)
            {
                complete = await SendResponseWithoutUpstreamBodyAsync(stream).ConfigureAwait(false);
            }
            else
            {
                exchange.ObserveGrpcStatus(response.Headers);
                // Body bytes already received go out with the head; a body still on its way waits behind it.
                ValueTask<HttpBodyChunk> read = body.ReadAsync(CancellationToken.None);
                bool headSent = !read.IsCompletedSuccessfully;
                if (!headSent || await SendFieldsAsync(stream, response, trailers: null, endStream: false).ConfigureAwait(false))
                {
                    while (true)
                    {
                        HttpBodyChunk chunk = await read.ConfigureAwait(false);
                        HttpHeaderList? trailers = chunk.IsEnd && body.Trailers is { Count: > 0 } fields ? fields : null;
                        if (trailers is not null)
                        {
                            exchange.ObserveGrpcStatus(trailers);
                        }
                        bool endStream = chunk.IsEnd && trailers is null;
                        bool sent;
                        try
                        {
                            if (headSent)
                            {
                                sent = await SendDataAsync(stream, chunk.Data, endStream).ConfigureAwait(false);
                            }
                            else
                            {
                                headSent = true;
                                if (TryQueueHeadWithData(stream, response, chunk.Data, endStream, out HeadSend head, out ValueTask<bool> queued))
                                {
                                    await queued.ConfigureAwait(false);
                                }
                                else
                                {
                                    head = await SendHeadWithDataAsync(stream, response, chunk.Data, endStream).ConfigureAwait(false);
                                }
                                sent = head == HeadSend.HeadAndData
                                    || (head == HeadSend.HeadOnly && await SendDataAsync(stream, chunk.Data, endStream).ConfigureAwait(false));
                            }
                        }
                        finally
                        {
                            body.Advance();
                        }
                        if (!sent)
                        {
                            break;
                        }
                        if (chunk.IsEnd)
                        {
                            complete = trailers is null || await SendFieldsAsync(stream, head: null, trailers, endStream: true).ConfigureAwait(false);
                            break;
                        }
                        read = body.ReadAsync(CancellationToken.None);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            complete = false;
            LogResponseAborted(_logger, _connection.Id, stream.Id, ex.Message);
        }

        // 4. a body the client is still sending is not needed any more (§8.1: RST_STREAM NO_ERROR), and
        //    an unfinished response must not look finished (RST_STREAM INTERNAL_ERROR)
        EndStreamAfterResponse(stream, complete);
        await router.CompleteAsync(exchange, complete).ConfigureAwait(false);
        Completed(rule, exchange);
    }

    /// <summary>A response with no upstream body to stream: the proxy's own answer (with its body), or a head alone.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<bool> SendResponseWithoutUpstreamBodyAsync(Http2Stream stream)
    {
        HttpExchange exchange = stream.Exchange;
        HttpResponseHead response = exchange.Response;
        if (exchange.IsLocalReply)
        {
            bool hasBody = response.HasBody && !exchange.LocalReplyBody.IsEmpty;
            if (!await SendFieldsAsync(stream, response, trailers: null, endStream: !hasBody).ConfigureAwait(false))
            {
                return false;
            }
            return !hasBody || await SendDataAsync(stream, new ReadOnlySequence<byte>(exchange.LocalReplyBody), endStream: true).ConfigureAwait(false);
        }
        exchange.ObserveGrpcStatus(response.Headers);
        return await SendFieldsAsync(stream, response, trailers: null, endStream: true).ConfigureAwait(false);
    }

    private void EndStreamAfterResponse(Http2Stream stream, bool complete)
    {
        // The usual case, a whole response to a whole request, needs nothing: decided without the lock, as
        // RemoteClosed, once set (under it), stays set until the stream is recycled after this.
        if (complete && stream.RemoteClosed)
        {
            return;
        }
        lock (_sync)
        {
            if (!stream.IsActive)
            {
                return;
            }
            if (complete && stream.RemoteClosed)
            {
                return;
            }
            if (!_closed)
            {
                Http2FrameWriter.WriteRstStream(_control, stream.Id, complete ? Http2ErrorCode.NoError : Http2ErrorCode.InternalError);
            }
            stream.IsReset = true;
            // Wakes the router's body pump if it waits for more of the body.
            stream.Body.Fail(new IOException("the response ended before the request body"));
            CloseStreamUnsynchronized(stream);
        }
        if (!complete)
        {
            stream.Exchange.Abort(HttpAbortReason.DownstreamDisconnect);
        }
        ScheduleControlFlush();
    }

    private void EndServing(Http2Stream stream)
    {
        bool close;
        bool controlQueued;
        lock (_sync)
        {
            if (stream.IsActive)
            {
                // Not closed by the paths above (defensive): reset it so its slot is freed.
                if (!_closed)
                {
                    Http2FrameWriter.WriteRstStream(_control, stream.Id, Http2ErrorCode.Cancel);
                }
                stream.IsReset = true;
                CloseStreamUnsynchronized(stream);
            }
            stream.IsServing = false;
            _servingStreams--;
            RecycleUnsynchronized(stream);
            if (_servingStreams == 0)
            {
                _allServed?.TrySetResult();
            }
            close = (_goAwaySent || _peerGoAway) && _openStreams == 0 && _servingStreams == 0;
            controlQueued = HasControlToFlushUnsynchronized();
        }
        if (close)
        {
            // The frame loop may close the connection now (even inline): look again under the lock, as its GOAWAY
            // must not go out in a control flush of ours ahead of the frames it sends first.
            Wake(WakeCheckClose);
            ScheduleControlFlush();
        }
        else if (controlQueued)
        {
            FlushControlUnlessWriting();
        }
    }

    private void Completed(RouteRule? rule, HttpExchange exchange)
    {
        rule?.Filters.OnExchangeCompleted(exchange);
        exchange.Snapshot.Telemetry.OnHttpExchangeCompleted(exchange);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            HttpRequestHead request = exchange.Request;
            LogCompleted(_logger, _connection.Id, request.GetMethodString(), Encoding.Latin1.GetString(request.Authority),
                Encoding.Latin1.GetString(request.Path), exchange.Response.StatusCode, ResponseFlagsFormat.ToCodes(exchange.ResponseFlags),
                rule is null ? "-" : $"{rule.TableName}/{rule.RuleName}", exchange.Cluster?.Name ?? "-", exchange.Endpoint?.Address ?? "-");
        }
    }
}
