using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Upstream;

namespace Meshy.Engine.Http;

/// <summary>
/// One request and its response, whatever the protocol (an HTTP/1.1 request on a connection, later an
/// HTTP/2 stream). The downstream codec owns one per connection (or stream slot) and reuses it:
/// <see cref="Reset"/> between requests, so a request allocates nothing in steady state. Filters keep
/// their per-request state here, never in their fields.
/// </summary>
/// <remarks>
/// Life of an exchange:
/// <list type="number">
/// <item>the codec resets it, calls <see cref="Begin"/> (the snapshot is read once, here) and fills <see cref="Request"/>;</item>
/// <item>the router matches a rule (<see cref="Route"/>), the rule's <see cref="HttpFilterChain"/> runs;</item>
/// <item>the router forwards, or a filter or the router calls <see cref="SendLocalReply"/>;</item>
/// <item>the codec writes <see cref="Response"/> and streams <see cref="ResponseBody"/> downstream;</item>
/// <item>the filters' <see cref="IHttpFilter.OnExchangeCompleted"/> run.</item>
/// </list>
/// </remarks>
public sealed class HttpExchange : IDisposable
{
    private readonly TimeProvider _time;
    private readonly ITimer _timeout;
    private bool _timeoutArmed;
    private CancellationTokenSource _aborted = new();
    private int _abortReason;
    private bool? _isGrpc;

    /// <summary>An exchange of <paramref name="connection"/>, reused for each of its requests.</summary>
    public HttpExchange(ConnectionContext connection, TimeProvider? time = null)
    {
        Connection = connection;
        Snapshot = connection.Snapshot;
        _time = time ?? TimeProvider.System;
        _timeout = _time.CreateTimer(static state => ((HttpExchange)state!).Abort(HttpAbortReason.Timeout), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The downstream connection.</summary>
    public ConnectionContext Connection { get; }

    /// <summary>The snapshot this request is served on, read once when it began; it finishes on it.</summary>
    public ProxySnapshot Snapshot { get; private set; }

    /// <summary>The clock of timeouts and timestamps.</summary>
    public TimeProvider Time => _time;

    /// <summary>The request head (hop-by-hop fields removed).</summary>
    public HttpRequestHead Request { get; } = new();

    /// <summary>The response head: the upstream's, or a local reply's.</summary>
    public HttpResponseHead Response { get; } = new();

    /// <summary>Envoy response flags of this request (access log, metrics).</summary>
    public ResponseFlags ResponseFlags { get; set; }

    /// <summary>The rule the router matched; null before routing or when none matched.</summary>
    public IHttpRoute? Route { get; set; }

    /// <summary>The cluster chosen by the router.</summary>
    public ClusterSnapshot? Cluster { get; set; }

    /// <summary>The subset chosen by the router, when the destination names one.</summary>
    public SubsetSnapshot? Subset { get; set; }

    /// <summary>The endpoint the request went to.</summary>
    public EndpointSnapshot? Endpoint { get; set; }

    /// <summary><see cref="TurnClock.GetTimestamp"/> (the stopwatch's units) when the request head was complete.</summary>
    public long StartTimestamp { get; private set; }

    /// <summary>
    /// <c>Connection.Sender.BytesSent</c> when the request began: the difference at completion is the
    /// response's size on the wire (head and body) for <c>istio_response_bytes</c> and the access log.
    /// NOTE: true for HTTP/1.1, where one connection serves one exchange at a time.
    /// </summary>
    public long SentBytesAtStart { get; private set; }

    /// <summary>
    /// The response's size on the wire (frames and payload) when the codec counts it itself, -1 when it
    /// does not. HTTP/2 counts per stream (its streams share the connection's sender, so a
    /// <see cref="SentBytesAtStart"/> difference would include other streams' bytes).
    /// </summary>
    public long ResponseBytes { get; set; } = -1;

    /// <summary><see cref="TurnClock.GetTimestamp"/> when the response head was sent downstream; 0 before.</summary>
    public long ResponseStartTimestamp { get; set; }

    /// <summary>The request body; null when the request has none.</summary>
    public IHttpBodySource? RequestBody { get; set; }

    /// <summary>The response body, set by whoever produced the response; null when it has none.</summary>
    public IHttpBodySource? ResponseBody { get; set; }

    /// <summary>True when <see cref="SendLocalReply"/> was called: the response is generated, not proxied.</summary>
    public bool IsLocalReply { get; private set; }

    /// <summary>The body of a local reply (<c>text/plain</c>).</summary>
    public ReadOnlyMemory<byte> LocalReplyBody { get; private set; }

    /// <summary>
    /// True for a gRPC request (<c>content-type: application/grpc...</c>). Looked up in the request's fields once
    /// per exchange: local replies, the codecs' status notes and telemetry all ask.
    /// </summary>
    public bool IsGrpc => _isGrpc ??= GrpcLocalReply.IsGrpc(Request);

    /// <summary>The <c>grpc-status</c> of a local reply sent in gRPC form; -1 otherwise (<c>grpc_response_status</c>).</summary>
    public int GrpcStatus { get; private set; } = -1;

    /// <summary>True once the response head went downstream: a failure from here on closes the connection.</summary>
    public bool ResponseStarted { get; set; }

    /// <summary>
    /// The terminal step's per-exchange state (the router's pooled connection and body pump); kept across
    /// <see cref="Reset"/> so it is allocated once per connection, and reset by its owner.
    /// </summary>
    public object? UpstreamState { get; set; }

    /// <summary>Cancelled when the exchange must stop (timeout, client gone, connection cut); see <see cref="AbortReason"/>.</summary>
    public CancellationToken Aborted => _aborted.Token;

    /// <summary>Why <see cref="Aborted"/> fired.</summary>
    public HttpAbortReason AbortReason => (HttpAbortReason)Volatile.Read(ref _abortReason);

    /// <summary>Starts a request: reads the snapshot once and stamps the start time.</summary>
    public void Begin(ProxySnapshot snapshot)
    {
        Snapshot = snapshot;
        StartTimestamp = TurnClock.GetTimestamp();
        SentBytesAtStart = Connection.Sender.BytesSent;
    }

    /// <summary>
    /// Answers the request from the proxy (a failure, a fault, no route): <paramref name="status"/> with
    /// <paramref name="body"/> as <c>text/plain</c> (a short reason; pass a cached array, not a new one).
    /// Replaces any response head not yet sent. A gRPC request gets the gRPC form instead (see
    /// <see cref="GrpcLocalReply"/>): 200 with <c>grpc-status</c> (<paramref name="grpcStatus"/> when given,
    /// else mapped from <paramref name="status"/>) and the reason as <c>grpc-message</c>. Every local reply goes
    /// through here, whatever the protocol, so each codec only writes <see cref="Response"/> and
    /// <see cref="LocalReplyBody"/>.
    /// </summary>
    public void SendLocalReply(int status, ReadOnlyMemory<byte> body = default, ResponseFlags flags = ResponseFlags.None, int grpcStatus = -1)
    {
        if (!IsGrpc)
        {
            SendDirectResponse(status, body, flags);
            return;
        }
        ResponseFlags |= flags;
        IsLocalReply = true;
        LocalReplyBody = default;
        ResponseBody = null;
        GrpcStatus = grpcStatus >= 0 ? grpcStatus : GrpcLocalReply.StatusFor(status, ResponseFlags);
        GrpcLocalReply.Write(Response, GrpcStatus, body.Span);
    }

    /// <summary>
    /// Takes <see cref="GrpcStatus"/> (<c>grpc_response_status</c>) from a proxied gRPC response's <c>grpc-status</c>:
    /// in the head of a trailers-only answer, or in the trailers. The codecs call it on the fields they send
    /// downstream, while those are still valid; fields of other requests are ignored.
    /// </summary>
    public void ObserveGrpcStatus(HttpHeaderList fields)
    {
        // Most responses answer plain HTTP requests: no search of their fields at all.
        if (IsGrpc
            && fields.TryGetValue("grpc-status"u8, out ReadOnlySpan<byte> value)
            && System.Buffers.Text.Utf8Parser.TryParse(value, out int status, out int consumed)
            && consumed == value.Length && status is >= 0 and <= 99)
        {
            GrpcStatus = status;
        }
    }

    /// <summary>
    /// Answers the request with a response the configuration spells out (<c>respond</c>, <c>redirect</c>):
    /// as <see cref="SendLocalReply"/>, but sent as configured to gRPC requests too.
    /// </summary>
    public void SendDirectResponse(int status, ReadOnlyMemory<byte> body = default, ResponseFlags flags = ResponseFlags.None)
    {
        ResponseFlags |= flags;
        IsLocalReply = true;
        LocalReplyBody = body;
        ResponseBody = null;
        GrpcStatus = -1;
        Response.Reset();
        Response.StatusCode = status;
        Response.ContentLength = body.Length;
        Response.HasBody = body.Length > 0 && Request.Method != HttpMethodKind.Head;
        if (body.Length > 0)
        {
            Response.Headers.Add("content-type"u8, "text/plain"u8);
        }
    }

    /// <summary>Cancels <see cref="Aborted"/> for <paramref name="reason"/> (the first reason wins). Safe from any thread.</summary>
    public void Abort(HttpAbortReason reason)
    {
        if (Interlocked.CompareExchange(ref _abortReason, (int)reason, (int)HttpAbortReason.None) != (int)HttpAbortReason.None)
        {
            return;
        }
        try
        {
            _aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The exchange was disposed while a timer fired.
        }
    }

    /// <summary>Aborts with <see cref="HttpAbortReason.Timeout"/> after <paramref name="timeout"/> unless stopped first.</summary>
    public void StartTimeout(TimeSpan timeout)
    {
        _timeoutArmed = true;
        _timeout.Change(timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Stops the timeout started by <see cref="StartTimeout"/>.</summary>
    public void StopTimeout()
    {
        // Most routes have no timeout: a timer never armed is not touched (a Change takes the timer queue's lock).
        if (_timeoutArmed)
        {
            _timeoutArmed = false;
            _timeout.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Forgets the previous request; keeps every buffer.</summary>
    public void Reset()
    {
        StopTimeout();
        Request.Reset();
        Response.Reset();
        ResponseFlags = ResponseFlags.None;
        Route = null;
        Cluster = null;
        Subset = null;
        Endpoint = null;
        StartTimestamp = 0;
        ResponseStartTimestamp = 0;
        ResponseBytes = -1;
        RequestBody = null;
        ResponseBody = null;
        IsLocalReply = false;
        LocalReplyBody = default;
        GrpcStatus = -1;
        _isGrpc = null;
        ResponseStarted = false;
        if (Volatile.Read(ref _abortReason) != (int)HttpAbortReason.None || !_aborted.TryReset())
        {
            // A cancelled source cannot be reset: the rare aborted request costs a new one.
            _aborted.Dispose();
            _aborted = new CancellationTokenSource();
        }
        Volatile.Write(ref _abortReason, (int)HttpAbortReason.None);
    }

    /// <summary>Stops the timer and returns the pooled buffers.</summary>
    public void Dispose()
    {
        _timeout.Dispose();
        _aborted.Dispose();
        Request.Dispose();
        Response.Dispose();
    }
}
