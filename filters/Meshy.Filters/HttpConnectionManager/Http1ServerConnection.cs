using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Tasks;
using Meshy.Engine.Transport;
using Meshy.Filters.Http1;
using Meshy.Filters.Router;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.HttpConnectionManager;

/// <summary>
/// HTTP/1.1 on one downstream connection: reads each request head (under the request-header and idle
/// timeouts), routes and forwards it, writes the response re-framed and streams its body from the
/// upstream's buffers to the client's socket. Requests are served strictly one after the other, so
/// pipelined requests are answered in order: the next head is parsed only once a response is done.
/// </summary>
/// <remarks>
/// <para>Expect: 100-continue is answered by the proxy itself, just before the body is first read
/// (when the router starts streaming it upstream); the expectation is not forwarded. A request
/// answered without reading its body (a local reply) closes the connection afterwards.</para>
/// <para>Malformed requests get their status (400, 414, 431, 505) with <c>Connection: close</c>, then
/// the connection closes: after a framing error the next message boundary is unknown (RFC 9112 §11.2).</para>
/// <para>While a request is in flight and its body (if any) has been read to the end, a read of the
/// client's side stays pending: its end (FIN or reset) means the client left and the upstream request
/// is cancelled (<c>DC</c>); bytes mean a pipelined request, left unexamined for the next head.</para>
/// <para>NOTE: the watch stops at the first pipelined byte instead of examining past it. The pipe forbids
/// moving <c>examined</c> backwards, so after <c>AdvanceTo(start, end)</c> the next head's
/// <c>AdvanceTo(headEnd)</c> would throw, and examining ahead would make the body reader wait for bytes it
/// already has. A client that pipelines and then leaves is noticed when its next request is read.</para>
/// </remarks>
internal sealed partial class Http1ServerConnection : IHttp1ContinueSender, IHttp1BodyEndObserver, IDisposable
{
    private static readonly byte[] ContinueBytes = Http1ResponseWriter.Continue.ToArray();

    private readonly HttpConnectionManager _origin;
    private readonly ConnectionContext _connection;
    private readonly PipeReader _input;
    private readonly SocketSender _sender;
    private readonly Http1RequestHead _head = new();
    private readonly Http1BodyReader _requestBody;
    private readonly HttpExchange _exchange;
    private readonly Http1OutputBuffer _output = new();
    private readonly Http1SendChain _chain = new();
    private readonly ReadDeadlineTimer _readTimer;
    private readonly byte[] _clientAddress;
    private readonly ILogger _logger;
    private CancellationTokenRegistration _draining;
    private ProxySnapshot _lastSnapshot;
    private HttpConnectionManager _manager;
    private Http1Parser _parser;
    private ValueTask<ReadResult> _watch;
    private bool _watching;
    private long _headStartTimestamp;
    private volatile bool _betweenRequests;

    private const int TimerIdle = 1;
    private const int TimerHeader = 2;
    private const int TimerDrain = 3;

    public Http1ServerConnection(HttpConnectionManager manager, ConnectionContext connection)
    {
        _origin = manager;
        _manager = manager;
        _connection = connection;
        _input = connection.Transport.Input;
        _sender = connection.Sender;
        _logger = manager.Logger;
        _parser = new Http1Parser(manager.Settings.Limits);
        _requestBody = new Http1BodyReader(manager.Settings.Limits);
        _exchange = new HttpExchange(connection, manager.Time);
        _lastSnapshot = connection.Snapshot;
        _clientAddress = FormatAddress(connection.RemoteEndPoint.Address);
        _readTimer = new ReadDeadlineTimer(manager.Time, _input.CancelPendingRead);
    }

    /// <summary>Serves requests until the connection ends.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    public async ValueTask RunAsync()
    {
        _draining = _connection.Draining.UnsafeRegister(static state => ((Http1ServerConnection)state!).OnDraining(), this);
        try
        {
            while (true)
            {
                if (!BeginHead())
                {
                    break;
                }
                // Between requests the connection waits here, on the watch's read when one is pending (the next
                // head's first bytes, the end, or the idle timer's cancel): awaited as it is, not cancelled and issued
                // again, which cost a pipe round per request. Waiting in this long-lived method, not in ReadHeadAsync,
                // spares every request a suspended method of its own.
                HeadOutcome headOutcome;
                if (_watching)
                {
                    _watching = false;
                    ReadResult first = await _watch.ConfigureAwait(false);
                    headOutcome = await ReadHeadAsync(first, hasFirst: true).ConfigureAwait(false);
                }
                else
                {
                    headOutcome = await ReadHeadAsync(default, hasFirst: false).ConfigureAwait(false);
                }
                if (headOutcome != HeadOutcome.Parsed)
                {
                    break;
                }

                // The parsed request is served here too, not in a method of its own: its waits (filters, upstream,
                // the body's sends) then suspend this long-lived method instead of a new one per request. The
                // connection goes on to the next request unless a step below breaks out.
                // 1. the exchange, on the snapshot current now
                HttpExchange exchange = BeginExchange();
                HttpRequestHead request = exchange.Request;
                bool close = !_head.KeepAlive;

                // 2. route, filters, forward
                RouterFilter router = _manager.Router;
                RouteRule? rule = router.Match(exchange, _manager.Hosts);
                ForwardOutcome outcome = ForwardOutcome.Response;
                if (rule is not null)
                {
                    // The client is watched from here: a filter may hold the request (a fault delay) and must learn
                    // that the client left.
                    if (!request.HasBody && !request.IsUpgrade && !request.IsConnect)
                    {
                        StartWatch();
                    }
                    FilterStatus status = await rule.Filters.OnRequestHeadersAsync(exchange).ConfigureAwait(false);
                    if (status == FilterStatus.Continue)
                    {
                        outcome = await router.ForwardAsync(exchange, rule).ConfigureAwait(false);
                    }
                    else if (status == FilterStatus.Stop)
                    {
                        // A filter ended the request without an answer: the client is gone.
                        outcome = ForwardOutcome.DownstreamGone;
                    }
                    if (outcome == ForwardOutcome.Response)
                    {
                        await rule.Filters.OnResponseHeadersAsync(exchange).ConfigureAwait(false);
                    }
                }
                if (outcome == ForwardOutcome.DownstreamGone)
                {
                    await router.CompleteAsync(exchange, responseComplete: false).ConfigureAwait(false);
                    Completed(rule, exchange);
                    break;
                }

                // 3. a protocol switch: the 101 (or CONNECT's 2xx) goes out, then bytes flow both ways
                HttpResponseHead response = exchange.Response;
                if (!exchange.IsLocalReply && IsTunnel(request, response.StatusCode))
                {
                    _output.Clear();
                    bool noClose = false;
                    Http1ResponseWriter.WriteHead(response, request.Method, request.Version, ref noClose, _output);
                    try
                    {
                        await _sender.SendAsync(_output.Written, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch
                    {
                        // The client is gone before the tunnel began: the upstream connection and the cluster's slot go back.
                        await router.CompleteAsync(exchange, responseComplete: false).ConfigureAwait(false);
                        Completed(rule, exchange);
                        throw;
                    }
                    exchange.ResponseStarted = true;
                    Completed(rule, exchange);
                    await router.TunnelAsync(exchange).ConfigureAwait(false);
                    break;
                }

                // 4. the response head, re-framed, into _output
                Http1ResponseWriter.BodyFraming framing = WriteResponseHead(exchange, ref close);
                bool responseComplete = true;
                try
                {
                    // 5. the body, from the upstream's buffers to the client's socket, with one gathered send per body slice:
                    //    the bytes the proxy writes (the head before the first slice, a chunk-size line, the last chunk after
                    //    the final slice) travel in the same send as the body bytes, sent from the upstream's receive
                    //    buffers. _output holds the head, not yet sent: it waits for the first body bytes only when they are
                    //    already there, else it goes out alone first, so a slow body never delays the client's view of the
                    //    status. The CRLF that ends a chunk's data goes with the next chunk's size line (or the last chunk).
                    if (!exchange.IsLocalReply && exchange.ResponseBody is { } body && framing != Http1ResponseWriter.BodyFraming.None)
                    {
                        bool chunked = framing == Http1ResponseWriter.BodyFraming.Chunked;
                        bool headPending = true;
                        bool dataEndPending = false;
                        while (true)
                        {
                            ValueTask<HttpBodyChunk> read = body.ReadAsync(CancellationToken.None);
                            if (headPending && !read.IsCompleted)
                            {
                                await _sender.SendAsync(_output.Written, CancellationToken.None).ConfigureAwait(false);
                                headPending = false;
                            }
                            HttpBodyChunk chunk = await read.ConfigureAwait(false);
                            try
                            {
                                ReadOnlySequence<byte> send = FrameChunk(chunk, body, chunked, headPending, ref dataEndPending);
                                headPending = false;
                                if (!send.IsEmpty)
                                {
                                    await _sender.SendAsync(send, CancellationToken.None).ConfigureAwait(false);
                                }
                            }
                            finally
                            {
                                body.Advance();
                            }
                            if (chunk.IsEnd)
                            {
                                break;
                            }
                        }
                    }
                    else
                    {
                        await _sender.SendAsync(_output.Written, CancellationToken.None).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    responseComplete = false;
                    LogResponseAborted(_logger, _connection.Id, ex.Message);
                }

                // 6. give the upstream connection back; the client's connection goes on only if everything was whole
                bool requestComplete = await router.CompleteAsync(exchange, responseComplete).ConfigureAwait(false);
                Completed(rule, exchange);
                if (!responseComplete)
                {
                    // A truncated body must not look complete: reset rather than close in order.
                    _connection.Abort();
                    break;
                }
                if (close || !requestComplete)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException
            or InvalidOperationException)
        {
            // The client reset or the connection was cut: nothing to answer.
            LogConnectionFailed(_logger, _connection.Id, ex);
        }
        finally
        {
            await _draining.DisposeAsync().ConfigureAwait(false);
            _readTimer.Stop();
            await EndWatchAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void OnBodyEnd() => StartWatch();

    /// <inheritdoc />
    public ValueTask SendContinueAsync(CancellationToken cancellationToken) =>
        _exchange.ResponseStarted ? ValueTask.CompletedTask : _sender.SendAtOnceAsync(ContinueBytes, cancellationToken);

    public void Dispose()
    {
        _readTimer.Dispose();
        _head.Dispose();
        _requestBody.Dispose();
        _exchange.Dispose();
        _output.Dispose();
    }

    private enum HeadOutcome : byte
    {
        Parsed,
        Closed,
    }

    /// <summary>Arms the idle timer for the wait before a head; false when the connection drains (it takes no more requests).</summary>
    private bool BeginHead()
    {
        HttpConnectionManagerSettings settings = _manager.Settings;
        if (settings.IdleTimeout > TimeSpan.Zero)
        {
            _readTimer.Arm(TimerIdle, settings.IdleTimeout);
        }
        else
        {
            _readTimer.Disarm();
        }
        _betweenRequests = true;
        // RunAsync ends the watch, if any, on the way out.
        return !_connection.Draining.IsCancellationRequested;
    }

    /// <summary>
    /// Reads and parses the next request head, starting with <paramref name="first"/> when <paramref name="hasFirst"/>
    /// (the watch's read); answers 408/4xx/505 itself when it cannot.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<HeadOutcome> ReadHeadAsync(ReadResult first, bool hasFirst)
    {
        HttpConnectionManagerSettings settings = _manager.Settings;
        bool started = false;
        while (true)
        {
            ReadResult result;
            if (hasFirst)
            {
                hasFirst = false;
                result = first;
            }
            else
            {
                result = await _input.ReadAsync().ConfigureAwait(false);
            }
            if (result.IsCanceled)
            {
                int timedOut = _readTimer.TakeExpired();
                if (timedOut == TimerHeader)
                {
                    LogHeaderTimeout(_logger, _connection.Id, settings.RequestHeaderTimeout);
                    await SendErrorAsync(408, HttpLocalReplies.RequestHeaderTimeout, ResponseFlags.None).ConfigureAwait(false);
                    return HeadOutcome.Closed;
                }
                if (timedOut is TimerIdle or TimerDrain)
                {
                    return HeadOutcome.Closed;
                }
                continue;
            }
            ReadOnlySequence<byte> buffer = result.Buffer;
            bool firstBytes = !started && !buffer.IsEmpty;
            if (firstBytes)
            {
                started = true;
                _headStartTimestamp = TurnClock.GetTimestamp();
                _betweenRequests = false;
                // No longer idle: the header timer, if this read does not bring the whole head, is armed below.
                _readTimer.Disarm();
            }
            bool parsed;
            var reader = new SequenceReader<byte>(buffer);
            try
            {
                parsed = _parser.TryParseRequestHead(ref reader, _head);
            }
            catch (Http1ProtocolException ex)
            {
                _readTimer.Disarm();
                _input.AdvanceTo(buffer.End);
                LogRejected(_logger, _connection.Id, ex.StatusCode, ex.Message);
                await SendErrorAsync(ex.StatusCode, Encoding.ASCII.GetBytes(ex.Message + "\n"), ResponseFlags.DownstreamProtocolError).ConfigureAwait(false);
                return HeadOutcome.Closed;
            }
            if (parsed)
            {
                _betweenRequests = false;
                _readTimer.Disarm();
                _input.AdvanceTo(reader.Position);
                return HeadOutcome.Parsed;
            }
            _input.AdvanceTo(reader.Position, buffer.End);
            if (result.IsCompleted)
            {
                _readTimer.Disarm();
                return HeadOutcome.Closed;
            }
            if (firstBytes)
            {
                // Slowloris: from the first byte, the whole head must arrive within the timeout. Armed only for a
                // head that did not come whole in one read (most do), counting from that read.
                _readTimer.Arm(TimerHeader, settings.RequestHeaderTimeout);
            }
        }
    }

    /// <summary>The exchange for the parsed head: the snapshot, read once for this request, and its version of this listener.</summary>
    private HttpExchange BeginExchange()
    {
        HttpExchange exchange = _exchange;
        exchange.Reset();
        ProxySnapshot snapshot = ResolveSnapshot();
        exchange.Begin(snapshot);
        HttpRequestHead request = exchange.Request;
        Http1HeadConverter.CopyRequest(_head, request);
        ForwardingHeaders.Apply(request.Headers, _clientAddress);
        if (request.HasBody)
        {
            bool wantsContinue = request.ExpectsContinue && request.Version >= 11;
            _requestBody.Start(_input, _head.GetBodyFraming(), wantsContinue ? this : null, this);
            exchange.RequestBody = _requestBody;
        }
        return exchange;
    }

    /// <summary>
    /// Writes the response head, re-framed, into <see cref="_output"/> (with a local reply's body) and marks the response
    /// started; a local reply answered before the request's body was read closes the connection afterwards.
    /// </summary>
    private Http1ResponseWriter.BodyFraming WriteResponseHead(HttpExchange exchange, ref bool close)
    {
        HttpRequestHead request = exchange.Request;
        HttpResponseHead response = exchange.Response;
        close |= _connection.Draining.IsCancellationRequested;
        if (exchange.IsLocalReply && request.HasBody && !_requestBody.IsCompleted)
        {
            close = true;
        }
        _output.Clear();
        Http1ResponseWriter.BodyFraming framing = Http1ResponseWriter.WriteHead(response, request.Method, request.Version, ref close, _output);
        if (!exchange.IsLocalReply)
        {
            exchange.ObserveGrpcStatus(response.Headers);
        }
        if (exchange.IsLocalReply && framing != Http1ResponseWriter.BodyFraming.None)
        {
            _output.Write(exchange.LocalReplyBody.Span);
        }
        exchange.ResponseStarted = true;
        exchange.ResponseStartTimestamp = TurnClock.GetTimestamp();
        return framing;
    }

    private static bool IsTunnel(HttpRequestHead request, int status) =>
        (request.IsUpgrade && status == 101) || (request.IsConnect && status is >= 200 and < 300);

    /// <summary>
    /// The bytes to send for one body slice: [what <see cref="_output"/> holds (the head when
    /// <paramref name="keepOutput"/>) + chunk-size line] [the slice] [last chunk and trailers at the end].
    /// </summary>
    private ReadOnlySequence<byte> FrameChunk(HttpBodyChunk chunk, IHttpBodySource body, bool chunked, bool keepOutput, ref bool dataEndPending)
    {
        if (!keepOutput)
        {
            _output.Clear();
        }
        if (chunked && !chunk.Data.IsEmpty)
        {
            if (dataEndPending)
            {
                _output.Write("\r\n"u8);
            }
            Http1ResponseWriter.WriteChunkHeader(chunk.Data.Length, _output);
            dataEndPending = true;
        }
        int beforeData = _output.Length;
        if (chunked && chunk.IsEnd)
        {
            if (dataEndPending)
            {
                _output.Write("\r\n"u8);
            }
            // Trailers pass through on chunked messages (RFC 9110 §6.5).
            Http1ResponseWriter.WriteLastChunk(body.Trailers, _output);
            if (body.Trailers is { } trailers)
            {
                _exchange.ObserveGrpcStatus(trailers);
            }
        }
        // Slices are taken after the last write: a write may move the output to a larger buffer.
        ReadOnlyMemory<byte> written = _output.Written;
        _chain.Clear();
        _chain.Append(written[..beforeData]);
        _chain.Append(chunk.Data);
        _chain.Append(written[beforeData..]);
        return _chain.Build();
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

    /// <summary>The snapshot current now and this listener's manager in it (a reload changes routes for the next request).</summary>
    private ProxySnapshot ResolveSnapshot()
    {
        ProxySnapshot current = _origin.Holder?.Current ?? _connection.Snapshot;
        if (ReferenceEquals(current, _lastSnapshot))
        {
            return current;
        }
        HttpConnectionManager? manager = _origin.FindIn(current);
        if (manager is null)
        {
            // The listener is gone from the new snapshot (it drains): keep serving on the old one.
            return _lastSnapshot;
        }
        if (manager.Settings.Limits != _manager.Settings.Limits)
        {
            _parser = new Http1Parser(manager.Settings.Limits);
        }
        _manager = manager;
        _lastSnapshot = current;
        return current;
    }

    private void StartWatch()
    {
        _watch = WatchAsync();
        _watching = true;
    }

    /// <summary>
    /// One read of the client's side while its request is served: an end with nothing buffered, or a
    /// reset, means the client left. The result is left unadvanced for the next head (see remarks).
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> WatchAsync()
    {
        ReadResult result;
        try
        {
            result = await _input.ReadAsync().ConfigureAwait(false);
        }
        catch
        {
            _exchange.Abort(HttpAbortReason.DownstreamDisconnect);
            throw;
        }
        if (result.IsCompleted && result.Buffer.IsEmpty)
        {
            _exchange.Abort(HttpAbortReason.DownstreamDisconnect);
        }
        return result;
    }

    /// <summary>Ends the watch and returns its read, not yet advanced; a reset it saw is thrown here.</summary>
    private ValueTask<ReadResult> StopWatchAsync()
    {
        _watching = false;
        if (!_watch.IsCompleted)
        {
            _input.CancelPendingRead();
        }
        return _watch;
    }

    private async ValueTask EndWatchAsync()
    {
        if (!_watching)
        {
            return;
        }
        try
        {
            ReadResult result = await StopWatchAsync().ConfigureAwait(false);
            _input.AdvanceTo(result.Buffer.Start);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The connection is ending anyway.
        }
    }

    private async ValueTask SendErrorAsync(int status, ReadOnlyMemory<byte> body, ResponseFlags flags)
    {
        HttpExchange exchange = _exchange;
        exchange.Reset();
        exchange.SendLocalReply(status, body, flags);
        _output.Clear();
        bool close = true;
        Http1ResponseWriter.WriteHead(exchange.Response, HttpMethodKind.Get, 11, ref close, _output);
        _output.Write(body.Span);
        long sentBefore = _sender.BytesSent;
        try
        {
            await _sender.SendAsync(_output.Written, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            // The request never became an exchange (no route, no filters): count and log it here, sent or not.
            ResolveSnapshot().Telemetry.OnHttpRejected(_connection, 11, status, flags, _headStartTimestamp, _sender.BytesSent - sentBefore);
        }
    }

    private void OnDraining()
    {
        // Between requests, a draining connection closes now; mid-request it closes after the response.
        if (_betweenRequests)
        {
            _readTimer.Expire(TimerDrain);
        }
    }

    private static byte[] FormatAddress(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return Encoding.ASCII.GetBytes(address.ToString());
    }
}
