using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Meshy.Conf.Schema;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Tasks;
using Meshy.Engine.Transport;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Connection;
using Meshy.Filters.Http2.Frames;
using Meshy.Filters.Http2.Hpack;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.HttpConnectionManager;

/// <summary>
/// HTTP/2 with prior knowledge (h2c, RFC 9113) on one downstream connection: one frame loop reads and
/// checks every frame, each stream's request becomes an exchange, started on the frame loop and continued
/// wherever its I/O completes, through the same routes, filters and router as HTTP/1.1, and responses go back as HEADERS and DATA frames sent from the
/// upstream's buffers.
/// </summary>
/// <remarks>
/// <para>Threads: the frame loop owns the frame reader and the HPACK decoder; stream tasks write. State
/// both touch (the stream table, flow-control windows, the queue of control frames) is guarded by
/// <see cref="_sync"/>, never held across an await. Writing is serialised by <see cref="_writeLock"/>
/// (one writer at a time, whole frames); the HPACK encoder is used only under it, so field blocks reach
/// the client in the order they were encoded. Streams queue their frames and wait; one flush per turn of
/// the thread pool sends every stream's frames queued meanwhile in one gathered send (see Output).</para>
/// <para>Control frames (SETTINGS ACK, PING ACK, WINDOW_UPDATE, RST_STREAM, GOAWAY) are queued by whoever
/// needs them and go out with the next send, or on their own when no stream is sending; the frame loop
/// never waits for a stream's flow-control window, only for the socket when its queue grows too long.</para>
/// <para>Errors: a connection error sends GOAWAY with the last stream id processed and its code, then
/// closes; a stream error resets that stream (RST_STREAM) and the others go on (RFC 9113 §5.4).</para>
/// </remarks>
internal sealed partial class Http2ServerConnection : IHttp2StreamOwner, IThreadPoolWorkItem, IDisposable
{
    /// <summary>Queued control frames beyond which the frame loop waits for the socket (ping floods from a client that does not read).</summary>
    private const int MaxControlBacklog = 64 * 1024;

    /// <summary>CONTINUATION frames one field block may have (CVE-2024-27316 style floods end the connection).</summary>
    private const int MaxContinuationFrames = 128;

    /// <summary>DATA frames gathered into one send: bounds how long one stream holds the socket.</summary>
    private const int MaxFramesPerSend = 4;

    /// <summary>PING, SETTINGS, PRIORITY, empty DATA and unknown frames allowed per <see cref="FloodWindow"/>.</summary>
    private const int ControlFrameBudget = 10_000;

    private static readonly TimeSpan FloodWindow = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan GoAwaySendTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(1);

    private readonly HttpConnectionManager _origin;
    private readonly ConnectionContext _connection;
    private readonly PipeReader _input;
    private readonly SocketSender _sender;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Http2Config _config;
    private readonly Http2FrameReader _frameReader = new(isServer: true);
    private readonly HpackDecoder _decoder;
    private readonly HpackEncoder _encoder = new();
    private readonly Lock _sync = new();
    private readonly Dictionary<int, Http2Stream> _streams = [];
    private readonly Stack<Http2Stream> _pool = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _headerBlock = new(1024);
    private readonly byte[] _clientAddress;
    private readonly ITimer _idleTimer;
    private bool _idleTimerArmed;                   // under _sync once the frame loop runs
    private readonly long _floodWindowTicks;
    private readonly int _maxHeaderBlockBytes;
    private ArrayBufferWriter<byte> _control = new(256);
    private ArrayBufferWriter<byte> _controlSending = new(256);

    // Batched output. Write lock: the frames streams queued since the last flush and their waits. Flush only:
    // the batch being sent.
    private Http1.Http1SendChain _pending = new();
    private Http1.Http1SendChain _flushing = new();
    private readonly Http1.Http1SendChain _flushSend = new();
    private List<Http2SendWait> _pendingWaits = [];
    private List<Http2SendWait> _flushingWaits = [];
    private CancellationTokenRegistration _draining;
    private HttpConnectionManager _manager;
    private ProxySnapshot _lastSnapshot;
    private Http2Settings _peerSettings = Http2Settings.Default;
    private uint _encoderTableSize = Http2Settings.Default.HeaderTableSize;
    private Http2FlowWindow _connectionSendWindow = new(Http2Settings.Default.InitialWindowSize);
    private int _connectionReceiveWindow = Http2Settings.Default.InitialWindowSize;
    private int _connectionPendingCredit;
    private Http2FloodBudget _resets;
    private Http2FloodBudget _controlFrames;
    private TaskCompletionSource? _allServed;

    // Frame loop only.
    private bool _settingsReceived;
    private int _blockStreamId;
    private bool _blockEndStream;
    private int _blockFrames;
    private Http2Error? _blockStreamError;

    // Connection lock.
    private int _lastStreamId;
    private int _openStreams;
    private int _servingStreams;
    private bool _goAwaySent;
    private bool _peerGoAway;
    private bool _closed;
    private int _wakeReason;
    private bool _flushQueued;
    private int _pendingSends;

    // Why the frame loop was woken (bits: several may be pending at once).
    private const int WakeNone = 0;
    private const int WakeIdle = 1;
    private const int WakeDrain = 2;
    private const int WakeCheckClose = 4;

    public Http2ServerConnection(HttpConnectionManager manager, ConnectionContext connection)
    {
        _origin = manager;
        _manager = manager;
        _connection = connection;
        _input = connection.Transport.Input;
        _sender = connection.Sender;
        // The flush holds the write lock across its send: batched, it would hold it to the end of the turn, and
        // responses ready meanwhile would wait for the lock on the thread pool.
        _sender.SendsAtOnce = true;
        _logger = manager.Logger;
        _time = manager.Time;
        _config = manager.Settings.Http2;
        _lastSnapshot = connection.Snapshot;
        int maxHeaderList = manager.Settings.Limits.MaxHeaderSectionLength;
        _decoder = new HpackDecoder(HpackFormat.DefaultTableSize, maxHeaderList);
        _maxHeaderBlockBytes = maxHeaderList + Http2Settings.MinMaxFrameSize;
        _clientAddress = FormatAddress(connection.RemoteEndPoint.Address);
        _floodWindowTicks = (long)(FloodWindow.TotalSeconds * _time.TimestampFrequency);
        _resets = new Http2FloodBudget(Math.Max(100, (int)Math.Min(int.MaxValue / 2, 2L * _config.MaxConcurrentStreams)), FloodWindow);
        _controlFrames = new Http2FloodBudget(ControlFrameBudget, FloodWindow);
        _idleTimer = _time.CreateTimer(static state => ((Http2ServerConnection)state!).Wake(WakeIdle), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The settings this side advertises (RFC 9113 §6.5.2) from <c>listeners[].http2</c> and the header limit.</summary>
    internal static Http2Settings LocalSettings(HttpConnectionManagerSettings settings) => new()
    {
        EnablePush = false,
        MaxConcurrentStreams = (uint)settings.Http2.MaxConcurrentStreams,
        InitialWindowSize = settings.Http2.InitialStreamWindow,
        MaxHeaderListSize = (uint)settings.Limits.MaxHeaderSectionLength,
    };

    /// <summary>Serves the connection until it ends; every stream has finished when this returns.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    public async ValueTask RunAsync()
    {
        _draining = _connection.Draining.UnsafeRegister(static state => ((Http2ServerConnection)state!).Wake(WakeDrain), this);
        Http2Error? failure = null;
        try
        {
            // 1. our SETTINGS, and the connection window raised at once (§6.9.2: SETTINGS cannot change it)
            QueueSettings();
            ArmIdleTimer();
            // 2. the frame loop
            failure = await ReadFramesAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException
            or InvalidOperationException)
        {
            LogConnectionFailed(_logger, _connection.Id, ex);
        }
        finally
        {
            await _draining.DisposeAsync().ConfigureAwait(false);
            _idleTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            // 3. GOAWAY (an error's code, or NO_ERROR for a graceful end) and the streams' end
            await CloseAsync(failure).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _idleTimer.Dispose();
        lock (_sync)
        {
            while (_pool.TryPop(out Http2Stream? stream))
            {
                stream.Dispose();
            }
        }
        _decoder.Dispose();
        _encoder.Dispose();
        // NOTE: _writeLock is not disposed: a control flush started just before the close may still release it.
    }

    /// <summary>The frame loop; returns the connection error that ended it, null for a graceful end.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<Http2Error?> ReadFramesAsync()
    {
        bool prefaceRead = false;
        while (true)
        {
            ReadResult result = await _input.ReadAsync().ConfigureAwait(false);
            if (result.IsCanceled || Volatile.Read(ref _wakeReason) != WakeNone)
            {
                if (OnWake())
                {
                    _input.AdvanceTo(result.Buffer.Start);
                    return null;
                }
            }
            ReadOnlySequence<byte> buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            try
            {
                if (!prefaceRead)
                {
                    prefaceRead = Http2Preface.TryRead(ref reader);
                }
                if (prefaceRead)
                {
                    ReadFrames(ref reader);
                }
            }
            catch (Http2ProtocolException ex)
            {
                _input.AdvanceTo(buffer.End);
                LogConnectionError(_logger, _connection.Id, ex.Code.ToString(), ex.Error.Message);
                return ex.Error;
            }
            _connection.BytesReceived += reader.Consumed;
            _input.AdvanceTo(reader.Position, buffer.End);
            await FlushControlIfBackloggedAsync().ConfigureAwait(false);
            if (result.IsCompleted)
            {
                // The client closed its side: it is gone (HTTP/2 has no half-closed connection).
                return null;
            }
            if (ShouldClose())
            {
                return null;
            }
        }
    }

    /// <summary>Every whole frame in <paramref name="reader"/>; stops at a partial one.</summary>
    private void ReadFrames(ref SequenceReader<byte> reader)
    {
        while (_frameReader.TryReadFrame(ref reader, out Http2Frame frame))
        {
            try
            {
                OnFrame(frame);
            }
            catch (Http2ProtocolException ex) when (ex.Scope == Http2ErrorScope.Stream)
            {
                ResetStream(ex.StreamId, ex.Code, ex.Error.Message);
            }
        }
    }

    /// <summary>Handles a wake-up of the frame loop; true when the connection should end now.</summary>
    private bool OnWake()
    {
        int reasons = Interlocked.Exchange(ref _wakeReason, WakeNone);
        if ((reasons & WakeDrain) != 0)
        {
            SendGoAwayOnce();
        }
        if ((reasons & WakeIdle) != 0)
        {
            lock (_sync)
            {
                if (_openStreams == 0 && _servingStreams == 0)
                {
                    return true;        // CloseAsync says goodbye with GOAWAY NO_ERROR
                }
                if (_openStreams == 0)
                {
                    ArmIdleTimer();     // a stream's task was still finishing: look again later
                }
            }
        }
        return ShouldClose();
    }

    /// <summary>After GOAWAY (either way), the connection ends once its last stream is served.</summary>
    private bool ShouldClose()
    {
        lock (_sync)
        {
            return (_goAwaySent || _peerGoAway) && _openStreams == 0 && _servingStreams == 0;
        }
    }

    private void Wake(int reason)
    {
        Interlocked.Or(ref _wakeReason, reason);
        try
        {
            _input.CancelPendingRead();
        }
        catch (InvalidOperationException)
        {
            // The pipe is completed: the connection is ending anyway.
        }
    }

    /// <summary>Drain: GOAWAY with the last stream accepted; in-flight streams finish, new ones are refused (§6.8).</summary>
    private void SendGoAwayOnce()
    {
        lock (_sync)
        {
            if (_goAwaySent || _closed)
            {
                return;
            }
            _goAwaySent = true;
            Http2FrameWriter.WriteGoAway(_control, _lastStreamId, Http2ErrorCode.NoError, default);
        }
        ScheduleControlFlush();
    }

    private void QueueSettings()
    {
        Http2Settings local = LocalSettings(_manager.Settings);
        Span<Http2Setting> parameters = stackalloc Http2Setting[6];
        int count = local.GetNonDefaultParameters(parameters);
        lock (_sync)
        {
            Http2FrameWriter.WriteSettings(_control, parameters[..count]);
            int raise = _config.ConnectionWindow - _connectionReceiveWindow;
            if (raise > 0)
            {
                Http2FrameWriter.WriteWindowUpdate(_control, 0, raise);
                _connectionReceiveWindow += raise;
            }
        }
        ScheduleControlFlush();
    }

    /// <summary>Before the frame loop, or under the connection's lock.</summary>
    private void ArmIdleTimer()
    {
        TimeSpan idle = _manager.Settings.IdleTimeout;
        _idleTimerArmed = idle > TimeSpan.Zero;
        _idleTimer.Change(_idleTimerArmed ? idle : Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// A stream opened: the connection is not idle. Only a timer that is armed is changed: a change takes the
    /// runtime's timer lock even when it stays disarmed, and most streams open while others are still open.
    /// </summary>
    private void DisarmIdleTimerUnsynchronized()
    {
        if (_idleTimerArmed)
        {
            _idleTimerArmed = false;
            _idleTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// Ends the connection: GOAWAY (with <paramref name="failure"/>'s code, or NO_ERROR), every stream still
    /// open aborted, and waits until every stream task has finished with its exchange.
    /// </summary>
    private async ValueTask CloseAsync(Http2Error? failure)
    {
        List<Http2Stream>? aborted = null;
        lock (_sync)
        {
            if (failure is { } error)
            {
                Http2FrameWriter.WriteGoAway(_control, _lastStreamId, error.Code, Encoding.ASCII.GetBytes(error.Message));
                _goAwaySent = true;
            }
            else if (!_goAwaySent)
            {
                Http2FrameWriter.WriteGoAway(_control, _lastStreamId, Http2ErrorCode.NoError, default);
                _goAwaySent = true;
            }
            foreach (Http2Stream stream in _streams.Values)
            {
                (aborted ??= []).Add(stream);
            }
            // The GOAWAY is the last frame: nothing may be queued or sent after it.
            _closed = true;
        }
        // 1. the last control frames (GOAWAY included), unless the socket is stuck
        bool locked = false;
        try
        {
            locked = await _writeLock.WaitAsync(GoAwaySendTimeout).ConfigureAwait(false);
            if (locked)
            {
                await SendPendingBeforeGoAwayAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> control = TakeControl();
                if (!control.IsEmpty)
                {
                    await _sender.SendAsync(control, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The client is gone: nothing more can reach it.
        }
        finally
        {
            if (locked)
            {
                _writeLock.Release();
            }
            else
            {
                _connection.Abort();
            }
        }
        // 2. streams still open: their client is gone
        if (aborted is not null)
        {
            foreach (Http2Stream stream in aborted)
            {
                AbortStream(stream, Http2ErrorCode.Cancel, sendReset: false);
            }
        }
        if (locked)
        {
            await LingerAsync().ConfigureAwait(false);
        }
        // 3. wait for the stream tasks, which own the exchanges
        Task? pending = null;
        lock (_sync)
        {
            if (_servingStreams > 0)
            {
                _allServed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                pending = _allServed.Task;
            }
        }
        if (pending is not null)
        {
            await pending.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After the last GOAWAY: FIN, then the client's bytes still arriving (frames it sent before it saw the
    /// GOAWAY) are read and dropped for a moment, until the client closes too. Closing with unread bytes
    /// would reset the connection, and a reset can destroy what the client has not read yet: the end of
    /// the last response, or the GOAWAY that says why.
    /// </summary>
    private async ValueTask LingerAsync()
    {
        try
        {
            _connection.Socket?.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            using var linger = new CancellationTokenSource(LingerTime, _time);
            while (true)
            {
                ReadResult result = await _input.ReadAsync(linger.Token).ConfigureAwait(false);
                _input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Time is up, or the client reset: either way the connection ends now.
        }
    }

    /// <summary>The snapshot current now and this listener's manager in it (a reload changes routes for the next stream).</summary>
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
            return _lastSnapshot;
        }
        _manager = manager;
        _lastSnapshot = current;
        return current;
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
