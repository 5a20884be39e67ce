using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Meshy.Engine.Http;
using Meshy.Engine.Tasks;
using Meshy.Engine.Transport;
using Meshy.Filters.Http2.Frames;
using Meshy.Filters.Http2.Hpack;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Http2.Client;

/// <summary>
/// An h2c client connection to one upstream endpoint (RFC 9113 with prior knowledge, §3.3): the preface and
/// SETTINGS, a read loop that dispatches frames to <see cref="Http2ClientStream"/>s, one HPACK encoder and
/// decoder, and flow control both ways. Streams are multiplexed; the <see cref="Http2ClientPool"/> decides
/// how many ride on it (the peer's SETTINGS_MAX_CONCURRENT_STREAMS at most).
/// </summary>
/// <remarks>
/// Writing: one send at a time on the socket (<see cref="_sendLock"/>). HEADERS (and trailers) and the frames
/// the read loop must answer (SETTINGS ACK, PING ACK, WINDOW_UPDATE, RST_STREAM) are queued in a small buffer,
/// in wire order, and go out at the end of the engine's turn or with whoever holds the send lock next: the
/// HEADERS of all the requests forwarded in one turn take one send, and the read loop never waits for a
/// stream's send (that wait could deadlock against a peer blocked on our reads). DATA goes under the send
/// lock behind the queue, from the client's receive buffers, gathered with its 9-byte frame headers (no copy).
/// <para>
/// Receiving: the connection window is credited as DATA arrives (every stream is bounded by its own window,
/// so this bounds memory too), a stream's window as its consumer advances past the bytes, so a slow client
/// stalls only its own stream.
/// </para>
/// </remarks>
internal sealed partial class Http2ClientConnection : IDisposable, IThreadPoolWorkItem
{
    /// <summary>SETTINGS_INITIAL_WINDOW_SIZE advertised: what one response may have in flight.</summary>
    public const int StreamReceiveWindow = 1 << 20;

    /// <summary>The connection receive window, raised at start from the initial 65535.</summary>
    public const int ConnectionReceiveWindow = 16 << 20;

    /// <summary>The largest response field section accepted (name + value + 32 per field, RFC 9113 §6.5.2); larger is a 502.</summary>
    public const int MaxResponseFieldSection = 64 * 1024;

    /// <summary>At most this many DATA frames go in one gathered send.</summary>
    internal const int FramesPerSend = 16;

    /// <summary>
    /// Ended streams kept for reuse, at most. An ended stream waits for the read loop's next pause before it can be
    /// reused (<see cref="RecycleReleasedStreams"/>), and new requests start meanwhile, so a busy connection needs
    /// room for more than it carries at once: twice the peer's stream limit, up to this. At a limit of 100 and
    /// 128 kept, one stream in 140 was built anew (a dozen objects, garbage when dropped).
    /// </summary>
    private const int MaxReusableStreams = 512;

    private readonly UpstreamConnection _connection;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, Http2ClientStream> _streams = [];
    private readonly List<Http2ClientStream> _releasedStreams = [];
    private readonly Stack<Http2ClientStream> _reusableStreams = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Lock _controlLock = new();
    private readonly HpackEncoder _encoder = new();
    private readonly HpackDecoder _decoder = new(maxHeaderListSize: MaxResponseFieldSection);
    private readonly Http2FrameReader _reader = new(isServer: false);
    private readonly ArrayBufferWriter<byte> _headBlock = new(1024);
    private readonly ArrayBufferWriter<byte> _headerFragments = new(1024);
    private readonly TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ArrayBufferWriter<byte> _control = new(256);
    private ArrayBufferWriter<byte> _controlSending = new(256);
    private Http2Settings _peer = Http2Settings.Default;
    private Http2FlowWindow _sendWindow = new(Http2Settings.Default.InitialWindowSize);
    private int _receiveUnacked;
    private int _nextStreamId = 1;
    private int _goAwayLastStreamId = int.MaxValue;
    private bool _closed;
    private bool _tableSizeChanged;
    private int _disposed;
    private int _flushPending;
    private Task _readLoop = Task.CompletedTask;

    public Http2ClientConnection(UpstreamConnection connection, ILogger logger)
    {
        _connection = connection;
        // Sends hold the send lock across the send: batched, to the end of the engine's turn, so a stream's DATA
        // ready meanwhile would wait for the lock on the thread pool.
        connection.Sender.SendsAtOnce = true;
        _logger = logger;
    }

    /// <summary>The socket and its pipes.</summary>
    public UpstreamConnection Connection => _connection;

    /// <summary>Told when the connection closed (read loop ended) or a stream ended; set by the pool.</summary>
    public Http2ClientPool? Pool { get; set; }

    /// <summary>The peer's SETTINGS_MAX_CONCURRENT_STREAMS (unlimited until its SETTINGS arrive).</summary>
    public uint MaxConcurrentStreams => Volatile.Read(ref _peer).MaxConcurrentStreams;

    /// <summary>True once the peer sent GOAWAY or the connection broke: no new streams.</summary>
    public bool IsDraining => Volatile.Read(ref _goAwayLastStreamId) != int.MaxValue || Volatile.Read(ref _closed);

    /// <summary>True once the read loop ended: the connection is unusable.</summary>
    public bool IsClosed => Volatile.Read(ref _closed);

    /// <summary>Streams the pool lent out on this connection (kept by the pool, under its lock).</summary>
    internal int ActiveStreams { get; set; }

    /// <summary>When the last stream ended (<see cref="TimeProvider.GetTimestamp"/>), for the idle timeout.</summary>
    internal long IdleSince { get; set; }

    /// <summary>
    /// Sends the preface, our SETTINGS and the connection window, starts the read loop and waits for the peer's
    /// first SETTINGS (which says how many streams it takes). False when it did not come within <paramref name="timeout"/>.
    /// </summary>
    public async ValueTask<bool> StartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ArrayBufferWriter<byte>(64);
        start.Write(Http2Preface.ClientBytes);
        Span<Http2Setting> settings =
        [
            new(Http2SettingId.EnablePush, 0),
            new(Http2SettingId.InitialWindowSize, StreamReceiveWindow),
        ];
        Http2FrameWriter.WriteSettings(start, settings);
        Http2FrameWriter.WriteWindowUpdate(start, 0, ConnectionReceiveWindow - Http2Settings.Default.InitialWindowSize);
        try
        {
            await _connection.Sender.SendAsync(start.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            return false;
        }
        _readLoop = Task.Run(ReadLoopAsync, CancellationToken.None);
        try
        {
            return await _ready.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// A stream for one request (a recycled one when there is one); the pool reserved its slot. Its id is
    /// assigned when its head is sent.
    /// </summary>
    public Http2ClientStream CreateStream()
    {
        Http2ClientStream? recycled = null;
        lock (_lock)
        {
            _reusableStreams.TryPop(out recycled);
        }
        if (recycled is null)
        {
            return new(this);
        }
        recycled.PrepareForReuse();
        return recycled;
    }

    /// <summary>The read loop between reads: streams released so far can no longer be touched by it.</summary>
    private void RecycleReleasedStreams()
    {
        int keep = (int)Math.Min(2L * MaxConcurrentStreams, MaxReusableStreams);
        lock (_lock)
        {
            foreach (Http2ClientStream stream in _releasedStreams)
            {
                if (_reusableStreams.Count < keep && !IsDisposed)
                {
                    _reusableStreams.Push(stream);
                }
                else
                {
                    stream.ReadTimeout.Dispose();   // dropped: a pending fire must not keep it (and this connection) alive
                }
            }
            _releasedStreams.Clear();
        }
    }

    /// <summary>Closes the socket (FIN); the read loop then fails every stream still open.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        // FIN, not RST: a drained or idle connection ends cleanly; a broken one is gone anyway.
        _connection.Dispose();
        // Streams kept for reuse, or released and not yet recycled, are dropped with the connection: their timers
        // go now (a pending fire would keep them, and this connection, reachable until it came).
        lock (_lock)
        {
            foreach (Http2ClientStream stream in _reusableStreams)
            {
                stream.ReadTimeout.Dispose();
            }
            foreach (Http2ClientStream stream in _releasedStreams)
            {
                stream.ReadTimeout.Dispose();
            }
        }
    }

    /// <summary>
    /// Queues a stream's HEADERS (1): assigns the next odd stream id and encodes the field block in the same
    /// critical section that appends the frames to the send queue, so ids and HPACK blocks reach the wire in
    /// the order they were made (§5.1.1, RFC 7541 §2.3.2), and registers the stream before its first byte
    /// leaves. The queue goes out at the end of the engine's turn, the HEADERS of every request forwarded in
    /// it in one send (or earlier, ahead of any DATA). Returns false when the connection no longer takes
    /// streams (GOAWAY arrived, or it closed): the request was not sent.
    /// </summary>
    internal bool QueueHeaders(Http2ClientStream stream, HttpRequestHead request, bool endStream)
    {
        lock (_controlLock)
        {
            lock (_lock)
            {
                if (IsDraining)
                {
                    return false;
                }
                stream.Id = _nextStreamId;
                _nextStreamId += 2;
                if (_nextStreamId > int.MaxValue - 2)
                {
                    // Stream ids are spent (§5.1.1): this is the last stream; the pool opens a new connection.
                    Volatile.Write(ref _goAwayLastStreamId, stream.Id);
                }
                stream.InitializeWindows(_peer.InitialWindowSize);
                _streams.Add(stream.Id, stream);
            }
            ApplyTableSizeUnsynchronized();
            _headBlock.ResetWrittenCount();
            Http2RequestEncoder.Encode(request, _encoder, _headBlock);
            Http2FrameWriter.WriteHeaders(_control, stream.Id, _headBlock.WrittenSpan, endStream, _peer.MaxFrameSize);
        }
        FlushAfterEvents();
        return true;
    }

    /// <summary>Queues request trailers as a HEADERS frame that ends the stream (§8.1), behind the stream's DATA.</summary>
    internal void QueueTrailers(Http2ClientStream stream, HttpHeaderList trailers)
    {
        stream.ThrowIfAborted();
        lock (_controlLock)
        {
            ApplyTableSizeUnsynchronized();
            _headBlock.ResetWrittenCount();
            Http2RequestEncoder.EncodeFields(trailers, _encoder, _headBlock);
            Http2FrameWriter.WriteHeaders(_control, stream.Id, _headBlock.WrittenSpan, endStream: true, _peer.MaxFrameSize);
        }
        FlushAfterEvents();
    }

    /// <summary>
    /// Sends DATA frames the stream gathered (frame headers and payload slices), under the send lock; what
    /// was queued before (this stream's HEADERS among it) goes out first.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    internal async ValueTask SendDataAsync(Http2ClientStream stream, ReadOnlySequence<byte> frames)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            stream.ThrowIfAborted();
            await SendQueuedAsync().ConfigureAwait(false);
            await _connection.Sender.SendAsync(frames, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await ReleaseSendAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Flushes the queue once this engine turn's events were handled (at most one flush pending).</summary>
    private void FlushAfterEvents()
    {
        if (Interlocked.Exchange(ref _flushPending, 1) == 0)
        {
            EpollEngine.QueueAfterEvents(this);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        Volatile.Write(ref _flushPending, 0);
        FlushControlSoon();
    }

    /// <summary>Applies a changed SETTINGS_HEADER_TABLE_SIZE before the next field block (the queue's lock is held).</summary>
    private void ApplyTableSizeUnsynchronized()
    {
        if (Volatile.Read(ref _tableSizeChanged))
        {
            Volatile.Write(ref _tableSizeChanged, false);
            _encoder.SetPeerMaxTableSize(Volatile.Read(ref _peer).HeaderTableSize);
        }
    }

    /// <summary>The peer's SETTINGS_MAX_FRAME_SIZE.</summary>
    internal int PeerMaxFrameSize => Volatile.Read(ref _peer).MaxFrameSize;

    /// <summary>
    /// Takes up to <paramref name="wanted"/> bytes of send window from both the connection and
    /// <paramref name="stream"/>; 0 when either is empty (the stream then waits for a WINDOW_UPDATE).
    /// </summary>
    internal int TakeSendWindow(Http2ClientStream stream, int wanted, out Task? wait)
    {
        lock (_lock)
        {
            int granted = Math.Min(wanted, Math.Min(_sendWindow.Available, stream.SendWindow.Available));
            wait = null;
            if (granted > 0)
            {
                _sendWindow.TryConsume(granted);
                stream.SendWindow.TryConsume(granted);
            }
            else
            {
                wait = stream.ArmWindowWaiterUnsynchronized();
            }
            return granted;
        }
    }

    /// <summary>The consumer of a response body advanced past <paramref name="length"/> bytes: credit the stream's window.</summary>
    internal void OnResponseDataConsumed(Http2ClientStream stream, int length)
    {
        int increment;
        lock (_lock)
        {
            increment = stream.CreditReceivedUnsynchronized(length, StreamReceiveWindow / 2);
            if (increment == 0 || !_streams.ContainsKey(stream.Id))
            {
                return;
            }
        }
        QueueControl(Http2ControlFrame.WindowUpdate, stream.Id, (uint)increment);
        FlushControlSoon();
    }

    /// <summary>
    /// Forgets a stream that ended or was released; resets it first when <paramref name="reset"/>. A released
    /// stream that ended cleanly is <paramref name="reusable"/>: it is reused once the read loop is between
    /// reads, because a frame it was dispatching at the release may still be writing into it.
    /// </summary>
    internal void RemoveStream(Http2ClientStream stream, bool reset, bool reusable = false)
    {
        int resetId;
        lock (_lock)
        {
            bool removed = RemoveStreamUnsynchronized(stream, reusable);
            resetId = removed && reset ? stream.Id : 0;
        }
        ResetRemovedStream(resetId);
    }

    /// <summary><see cref="RemoveStream"/>'s part under the lock: true when the stream was still registered.</summary>
    internal bool RemoveStreamUnsynchronized(Http2ClientStream stream, bool reusable)
    {
        bool removed = stream.Id != 0 && _streams.Remove(stream.Id);
        if (reusable)
        {
            _releasedStreams.Add(stream);
        }
        return removed;
    }

    /// <summary><see cref="RemoveStream"/>'s part after the lock: RST_STREAM for a stream removed before it ended (0: none).</summary>
    internal void ResetRemovedStream(int streamId)
    {
        if (streamId != 0 && !IsClosed)
        {
            QueueControl(Http2ControlFrame.RstStream, streamId, (uint)Http2ErrorCode.Cancel);
            FlushControlSoon();
        }
    }

    /// <summary>True once <see cref="Dispose"/> ran: released streams are no longer kept for reuse.</summary>
    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The connection's lock: streams change their receive state under it (the read loop writes their body buffers).</summary>
    internal Lock SyncRoot => _lock;

    private void QueueControl(Http2ControlFrame kind, int streamId, uint value)
    {
        lock (_controlLock)
        {
            switch (kind)
            {
                case Http2ControlFrame.WindowUpdate:
                    Http2FrameWriter.WriteWindowUpdate(_control, streamId, (int)value);
                    break;
                case Http2ControlFrame.RstStream:
                    Http2FrameWriter.WriteRstStream(_control, streamId, (Http2ErrorCode)value);
                    break;
                case Http2ControlFrame.SettingsAck:
                    Http2FrameWriter.WriteSettingsAck(_control);
                    break;
            }
        }
    }

    private void QueuePingAck(ulong data)
    {
        lock (_controlLock)
        {
            Http2FrameWriter.WritePing(_control, data, ack: true);
        }
    }

    private bool HasControl
    {
        get
        {
            lock (_controlLock)
            {
                return _control.WrittenCount > 0;
            }
        }
    }

    /// <summary>Flushes queued control frames now if the socket is free; otherwise its current user will.</summary>
    private void FlushControlSoon()
    {
        if (HasControl && _sendLock.Wait(0))
        {
            DetachedTask.Forget(ReleaseSendAsync());
        }
    }

    /// <summary>Flushes the control frames queued meanwhile, then lets the next sender in (and flushes again if more came).</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private async ValueTask ReleaseSendAsync()
    {
        while (true)
        {
            try
            {
                await SendQueuedAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // SendQueuedAsync closed the connection; its read loop fails the streams.
            }
            _sendLock.Release();
            if (!HasControl || !_sendLock.Wait(0))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Sends what was queued (HEADERS, control frames) in one send; the send lock is held. A failed send
    /// closes the connection: the HEADERS lost with it belong to other streams too, which then fail at once
    /// as the read loop ends, instead of waiting for answers to requests that never left.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private async ValueTask SendQueuedAsync()
    {
        if (!HasControl)
        {
            return;
        }
        ArrayBufferWriter<byte> sending;
        lock (_controlLock)
        {
            sending = _control;
            _control = _controlSending;
            _controlSending = sending;
        }
        try
        {
            await _connection.Sender.SendAsync(sending.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            Dispose();
            throw;
        }
        finally
        {
            sending.ResetWrittenCount();
        }
    }

    private enum Http2ControlFrame : byte
    {
        WindowUpdate,
        RstStream,
        SettingsAck,
    }
}
