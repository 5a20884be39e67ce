using System.Buffers;
using System.Threading.Tasks.Sources;
using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;

namespace Meshy.Filters.Http2.Connection;

/// <summary>
/// One HTTP/2 stream of a server connection, and the exchange that serves its request. Pooled by the
/// connection and reused for later streams, so a stream allocates nothing in steady state.
/// </summary>
/// <remarks>
/// <para>States (RFC 9113 §5.1) as the server sees a client-opened stream; "remote" is the client's side:</para>
/// <code>
///   idle --HEADERS--> open --END_STREAM recv--> half-closed (remote) --END_STREAM sent--> closed
///                       \--END_STREAM sent--> half-closed (local) --END_STREAM recv--> closed
///   any --RST_STREAM sent or received--> closed
/// </code>
/// Fields marked "connection lock" are read and written only under the connection's lock. The stream is
/// in the connection's table from its HEADERS until it is closed; its object goes back to the pool once
/// it is closed and its serving task has ended, whichever comes last.
/// </remarks>
internal sealed class Http2Stream : IValueTaskSource<bool>, IDisposable
{
    private ManualResetValueTaskSourceCore<bool> _windowWait = new() { RunContinuationsAsynchronously = true };
    private bool _waitingForWindow;

    public Http2Stream(ConnectionContext connection, TimeProvider time, IHttp2StreamOwner owner)
    {
        Exchange = new HttpExchange(connection, time);
        Body = new Http2RequestBody(this, owner);
    }

    /// <summary>The stream identifier (odd: client-initiated).</summary>
    public int Id { get; private set; }

    /// <summary>The request and its response.</summary>
    public HttpExchange Exchange { get; }

    /// <summary>The request body, fed by DATA frames.</summary>
    public Http2RequestBody Body { get; }

    /// <summary>The frames this stream sends (headers of DATA frames, HEADERS), gathered with the payload.</summary>
    public ArrayBufferWriter<byte> Frames { get; } = new(256);

    /// <summary>An encoded field block before it is framed.</summary>
    public ArrayBufferWriter<byte> FieldBlock { get; } = new(256);

    /// <summary>The wait for the connection's batched send that carries this stream's frames.</summary>
    public Http2SendWait SendWait { get; } = new();

    /// <summary>The listener's manager (per snapshot) that serves this stream's request.</summary>
    public object? Manager { get; set; }

    /// <summary>Connection lock: the client ended its side (END_STREAM received).</summary>
    public bool RemoteClosed { get; set; }

    /// <summary>Connection lock: the server ended its side (END_STREAM sent).</summary>
    public bool LocalClosed { get; set; }

    /// <summary>Connection lock: closed by RST_STREAM (either way) or by the connection's end: send nothing more.</summary>
    public bool IsReset { get; set; }

    /// <summary>Connection lock: true while the stream is in the connection's table (open or half-closed).</summary>
    public bool IsActive { get; set; }

    /// <summary>Connection lock: true while the serving task runs.</summary>
    public bool IsServing { get; set; }

    /// <summary>The serving of the current request while it is suspended; taken once by <see cref="ServingDone"/>.</summary>
    public ValueTask Serving { get; set; }

    /// <summary>The continuation of <see cref="Serving"/>: made once per stream object, which is pooled.</summary>
    public Action? ServingDone { get; set; }

    /// <summary>Returns <see cref="Serving"/> and forgets it.</summary>
    public ValueTask TakeServing()
    {
        ValueTask serving = Serving;
        Serving = default;
        return serving;
    }

    /// <summary>Connection lock: the response (head and body) went out whole.</summary>
    public bool ResponseComplete { get; set; }

    /// <summary>Connection lock: what this side may still send (the client's window for the stream).</summary>
    public Http2FlowWindow SendWindow;

    /// <summary>Connection lock: what the client may still send before a WINDOW_UPDATE.</summary>
    public int ReceiveWindow { get; set; }

    /// <summary>Connection lock: consumed bytes whose credit was not yet returned with a WINDOW_UPDATE.</summary>
    public int PendingCredit { get; set; }

    /// <summary>Connection lock: received DATA bytes (padding included) not yet consumed.</summary>
    public int Buffered { get; set; }

    /// <summary>Frame loop: request body bytes received, to check against <see cref="ContentLength"/>.</summary>
    public long ReceivedBodyBytes { get; set; }

    /// <summary>A status the proxy answers itself instead of routing (431: header list too large; 501: CONNECT); 0 otherwise.</summary>
    public int LocalStatus { get; set; }

    /// <summary>Frame loop: the request's content-length, -1 when it had none.</summary>
    public long ContentLength { get; set; }

    /// <summary>Starts serving stream <paramref name="id"/>: the request head is filled by the caller afterwards.</summary>
    public void Open(int id, int sendWindow, int receiveWindow)
    {
        Id = id;
        RemoteClosed = false;
        LocalClosed = false;
        IsReset = false;
        IsActive = true;
        IsServing = false;
        ResponseComplete = false;
        SendWindow = new Http2FlowWindow(sendWindow);
        ReceiveWindow = receiveWindow;
        PendingCredit = 0;
        Buffered = 0;
        ReceivedBodyBytes = 0;
        ContentLength = -1;
        LocalStatus = 0;
        Manager = null;
        _waitingForWindow = false;
        Exchange.Reset();
    }

    /// <summary>Forgets the last stream (its body buffer is reset for the next one).</summary>
    public void Recycle()
    {
        Body.Reset();
        Frames.ResetWrittenCount();
        FieldBlock.ResetWrittenCount();
        Manager = null;
    }

    /// <summary>Connection lock: waits until <see cref="WakeUnsynchronized"/>; true = look at the windows again, false = stop.</summary>
    public ValueTask<bool> WaitForWindowUnsynchronized()
    {
        _windowWait.Reset();
        _waitingForWindow = true;
        return new ValueTask<bool>(this, _windowWait.Version);
    }

    /// <summary>Connection lock: ends a wait for window (no-op when none).</summary>
    public void WakeUnsynchronized(bool result)
    {
        if (_waitingForWindow)
        {
            _waitingForWindow = false;
            _windowWait.SetResult(result);
        }
    }

    public void Dispose()
    {
        Exchange.Dispose();
        Body.Dispose();
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _windowWait.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _windowWait.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _windowWait.OnCompleted(continuation, state, token, flags);
}
