using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Meshy.Engine.Tasks;

namespace Meshy.Engine.Transport;

/// <summary>
/// A socket in an <see cref="EpollEngine"/>: receives and sends are plain non-blocking system calls, and
/// only a call that fails with EAGAIN waits, for the socket's next readiness event.
/// </summary>
/// <remarks>
/// A receive that returned less than its buffer drained the socket (the kernel copies all that is queued),
/// so the next message is awaited without a system call (<see cref="ReceiveNeedsEvent"/>); a full buffer means more may be queued, so the
/// next receive goes straight to the kernel. Once the peer closed or failed, or sent TCP urgent data, every
/// receive goes to the kernel (the end of the stream is not queued data, and a receive stops short at the
/// urgent mark). The wait holds no buffer: an idle connection costs none.
/// </remarks>
internal sealed class EpollSocketChannel : SocketChannel
{
    private readonly EpollEngine _engine;
    private readonly SafeSocketHandle _handle;
    private readonly ReadinessSignal _readable = new();
    private readonly ReadinessSignal _writable = new();
    private readonly ReadinessWaiter _connectWaiter = new();
    private long _eventsBeforeLastReceive;
    private bool _drained = true;
    private volatile bool _shortReceivesMayLeaveData;

    /// <summary>Makes <paramref name="socket"/> non-blocking and registers it with <paramref name="engine"/>.</summary>
    public EpollSocketChannel(Socket socket, EpollEngine engine)
        : base(socket)
    {
        socket.Blocking = false;
        _handle = socket.SafeHandle;
        _engine = engine;
        engine.Register(this);
    }

    /// <summary>Slot and generation in the engine (set by <see cref="EpollEngine.Register"/>).</summary>
    internal ulong Token { get; set; }

    /// <inheritdoc />
    internal override ReadinessSignal? ReceiveReadiness => _readable;

    /// <summary>Write readiness, for senders.</summary>
    internal ReadinessSignal Writable => _writable;

    /// <summary>The socket's handle; calls through it fail with <see cref="ObjectDisposedException"/> once it is closed.</summary>
    internal SafeSocketHandle Handle => _handle;

    /// <summary>
    /// Connects <paramref name="socket"/> without blocking: the channel once connected, else the socket's error
    /// (the socket is then closed). Cancelling <paramref name="cancellationToken"/> abandons the handshake.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public static async ValueTask<(SocketError Error, EpollSocketChannel? Channel)> ConnectAsync(
        Socket socket, IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        bool pending = false;
        try
        {
            socket.Blocking = false;
            socket.Connect(endPoint);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            pending = true;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            return (ex.SocketErrorCode, null);
        }
        // Registered once the handshake is under way: a socket that never connected reports itself
        // writable, and that event must not pass for the handshake's end.
        EpollSocketChannel channel;
        try
        {
            channel = new EpollSocketChannel(socket, EpollEngine.Next());
        }
        catch (SocketException ex)
        {
            // The epoll set is full (max_user_watches) or out of memory.
            socket.Dispose();
            return (ex.SocketErrorCode, null);
        }
        if (!pending)
        {
            return (SocketError.Success, channel);
        }
        try
        {
            await channel._connectWaiter.WaitAsync(channel._writable, 0, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            channel.Reset();
            return (SocketError.OperationAborted, null);
        }
        SocketError error;
        try
        {
            error = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
        }
        catch (SocketException ex)
        {
            error = ex.SocketErrorCode;
        }
        catch (ObjectDisposedException)
        {
            error = SocketError.OperationAborted;
        }
        if (error != SocketError.Success)
        {
            channel.Close();
            return (error, null);
        }
        return (SocketError.Success, channel);
    }

    public override SocketSender CreateSender() => new EpollSocketSender(this);

    private const uint ReadEvents = EpollInterop.EpollIn | EpollInterop.EpollPri | EpollInterop.EpollRdHup | EpollInterop.EpollHup | EpollInterop.EpollErr;

    /// <summary>Events of this socket (engine thread).</summary>
    internal void OnEvents(uint events, bool wakeAsynchronously)
    {
        if ((events & ReadEvents) != 0)
        {
            ReadinessSignal.Wake(TakeReadable(events), wakeAsynchronously);
        }
        OnWriteEvents(events, wakeAsynchronously);
    }

    /// <summary>
    /// The read half of <see cref="OnEvents"/> for events with read readiness (<see cref="IsReadEvent"/>), without
    /// the wake: the event is counted and the waiters are the caller's to wake (<see cref="ReadinessSignal.Wake"/>).
    /// An engine turn that receives for those waiters first (<see cref="ReceiveBatch"/>).
    /// </summary>
    internal ReadinessWaiter? TakeReadable(uint events)
    {
        if ((events & (EpollInterop.EpollRdHup | EpollInterop.EpollHup | EpollInterop.EpollErr | EpollInterop.EpollPri)) != 0)
        {
            // The end of the stream (or an error) is no queued data, and a receive stops short at TCP urgent
            // data with more queued behind it: from here on every receive asks the kernel.
            _shortReceivesMayLeaveData = true;
        }
        return _readable.SignalAndTake();
    }

    /// <summary>The write half of <see cref="OnEvents"/>.</summary>
    internal void OnWriteEvents(uint events, bool wakeAsynchronously)
    {
        if ((events & (EpollInterop.EpollOut | EpollInterop.EpollHup | EpollInterop.EpollErr)) != 0)
        {
            _writable.Signal(wakeAsynchronously);
        }
    }

    /// <summary>Whether <paramref name="events"/> hold read readiness (or the end, or an error).</summary>
    internal static bool IsReadEvent(uint events) => (events & ReadEvents) != 0;

    /// <summary>This socket's reader, the one whose wait a <see cref="ReceiveBatch"/> may receive for.</summary>
    internal SocketReader? Reader { get; set; }

    /// <summary>Read readiness, for a <see cref="SocketReader"/>'s wait.</summary>
    internal ReadinessSignal Readable => _readable;

    /// <summary>
    /// True when the last receive drained the socket: bytes can only be there after an event later than
    /// <see cref="EventsBeforeLastReceive"/>, so a receive now would be a wasted system call.
    /// </summary>
    internal bool ReceiveNeedsEvent => _drained && !_shortReceivesMayLeaveData;

    /// <summary>The readiness count read just before the last receive (the one to wait beyond).</summary>
    internal long EventsBeforeLastReceive => _eventsBeforeLastReceive;

    /// <summary>
    /// One non-blocking receive into <paramref name="buffer"/>: the count, 0 at the end of the stream, -1 when
    /// nothing is queued (then wait for an event after <see cref="EventsBeforeLastReceive"/>). Throws a
    /// <see cref="SocketException"/> on a socket error, <see cref="ObjectDisposedException"/> once closed here.
    /// </summary>
    internal int ReceiveNow(Span<byte> buffer)
    {
        while (true)
        {
            long events = _readable.Events;
            int received = EndReceive(TryReceive(buffer), buffer.Length, events);
            if (received != -EpollInterop.EIntr)
            {
                return received;
            }
        }
    }

    /// <summary>
    /// The bookkeeping of <see cref="ReceiveNow"/> for a receive made elsewhere (a <see cref="ReceiveBatch"/>):
    /// <paramref name="result"/> is its count or minus errno, <paramref name="events"/> the readiness count read
    /// before it. Returns as <see cref="ReceiveNow"/> does, or minus EINTR for a receive to make again.
    /// </summary>
    internal int EndReceive(int result, int length, long events)
    {
        if (result == 0 && IsClosed)
        {
            // Our own shutdown, not the peer's end of stream: the receive was cut short locally.
            throw new ObjectDisposedException(nameof(Socket), "the socket was closed locally");
        }
        if (result >= 0)
        {
            _eventsBeforeLastReceive = events;
            _drained = result < length;
            return result;
        }
        int errno = -result;
        if (errno == EpollInterop.EIntr)
        {
            return result;
        }
        _eventsBeforeLastReceive = events;
        if (errno == EpollInterop.EAgain)
        {
            _drained = true;
            return -1;
        }
        throw new SocketException((int)EpollInterop.ToSocketError(errno));
    }

    private protected override void OnClosed()
    {
        _engine.Unregister(this);
        _readable.Close();
        _writable.Close();
    }

    /// <summary>The count received, or minus errno.</summary>
    private unsafe int TryReceive(Span<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            nint received = EpollInterop.Receive(_handle, pointer, (nuint)buffer.Length, 0);
            return received >= 0 ? (int)received : -Marshal.GetLastSystemError();
        }
    }
}
