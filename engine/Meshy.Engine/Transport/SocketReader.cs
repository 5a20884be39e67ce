using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Meshy.Engine.Transport;

/// <summary>
/// The input of a socket in Meshy's epoll engine, read on demand: a read that finds nothing new receives from
/// the socket itself, into pooled blocks that stay where they were received until consumed, and waits for
/// the socket's next readiness event only when the kernel has nothing queued.
/// </summary>
/// <remarks>
/// <para>A <see cref="Pipe"/> with a receive loop in front costs every message a second task's turn and four
/// lock round trips (flush, read, advance, plus the loop's own wait); here the reader's continuation is the
/// readiness event's, and nothing is shared but the cancel flag and the completion state.</para>
/// <para>Back-pressure is the caller's: nothing is received until it asks for more than it has examined, so
/// what it buffers is what it chose to keep. An idle connection holds no block: the wait comes before the
/// receive, and a fully consumed buffer goes back to the pool.</para>
/// <para>The usual <see cref="PipeReader"/> contract holds: one read at a time, <see cref="AdvanceTo(SequencePosition, SequencePosition)"/>
/// after each; <see cref="CancelPendingRead"/> and <see cref="Complete"/> from any thread. A Complete while the
/// caller reads or holds a buffer leaves the blocks to that caller's next call.</para>
/// </remarks>
internal sealed class SocketReader : PipeReader, IValueTaskSource<ReadResult>
{
    // The caller is inside a read, or holds the buffer one returned (until AdvanceTo): Complete from another
    // thread must then leave the blocks to it.
    private const int InUse = 1;
    private const int Completed = 2;
    private const int Released = 4;

    // The socket's event continues a pending read through this, with the reader as its state (no delegate per reader).
    private static readonly Action<object?> OnReadableCallback = static state => ((SocketReader)state!).OnReadable();

    private readonly EpollSocketChannel _channel;
    private readonly MemoryPool<byte> _pool;
    private readonly Func<Exception, Exception> _translateError;
    private readonly ReadinessWaiter _waiter = new();
    private ManualResetValueTaskSourceCore<ReadResult> _pendingRead = new() { RunContinuationsAsynchronously = false };
    private ValueTask _wait;
    private CancellationToken _token;

    private ReceiveSegmentChain _chain;
    private bool _hasUnexamined;
    private bool _ended;
    private Exception? _error;
    private int _cancelRequested;
    private int _state;
    private BatchedReceive _batched;
    private long _batchedEvents;
    private ReceiveSegment? _batchedFirst;      // the first block of a batched receive into two, else null
    private int _overflowCredit;                // batched receives left that take a second block (WantsOverflow)

    // A receive that fills a whole block leaves the rest of the message for another system call. Once that happens,
    // the turn's receives for this reader take a second block, for this many receives that do not fill the first;
    // one that reaches into the second renews the credit. A 16 KiB response and its head then arrive in one receive
    // instead of two. Small messages never start it, nor does a receive that only fills the room left after
    // unconsumed bytes.
    private const int OverflowCredit = 16;

    /// <param name="channel">The socket; this reader is its only receiver.</param>
    /// <param name="pool">Where blocks come from.</param>
    /// <param name="translateError">Turns a socket failure into what readers see (an <see cref="IOException"/>).</param>
    public SocketReader(EpollSocketChannel channel, MemoryPool<byte> pool, Func<Exception, Exception> translateError)
    {
        _channel = channel;
        _pool = pool;
        _translateError = translateError;
        channel.Reader = this;
    }

    /// <inheritdoc />
    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        BeginUse();
        if (cancellationToken.IsCancellationRequested)
        {
            EndUse();
            return ValueTask.FromCanceled<ReadResult>(cancellationToken);
        }
        try
        {
            if (TryReadBuffered(out ReadResult buffered))
            {
                return new ValueTask<ReadResult>(buffered);
            }
            _token = cancellationToken;
            if (TryReceive(out ReadResult received))
            {
                return new ValueTask<ReadResult>(received);
            }
        }
        catch (Exception ex)
        {
            EndUse();
            return ValueTask.FromException<ReadResult>(ex);
        }
        // A wait is queued: its event continues this read (OnReadable).
        _pendingRead.Reset();
        _waiter.OnWaitEnded(OnReadableCallback, this);
        return new ValueTask<ReadResult>(this, _pendingRead.Version);
    }

    /// <inheritdoc />
    public override bool TryRead(out ReadResult result)
    {
        BeginUse();
        try
        {
            if (TryReadBuffered(out result))
            {
                return true;
            }
            // Nothing new buffered: ask the kernel only when an event came since it last had nothing.
            if (!(_channel.ReceiveNeedsEvent && _channel.Readable.Events == _channel.EventsBeforeLastReceive) && ReceiveOnce(out result))
            {
                return true;
            }
        }
        catch
        {
            EndUse();
            throw;
        }
        EndUse();
        return false;
    }

    /// <inheritdoc />
    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    /// <inheritdoc />
    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if ((Volatile.Read(ref _state) & Completed) != 0)
        {
            // Completed from elsewhere while this caller held the buffer: the blocks were left to it.
            EndUse();
            ThrowCompleted();
        }
        Advance(consumed, examined);
        EndUse();
    }

    private void Advance(SequencePosition consumed, SequencePosition examined)
    {
        if (_chain.Head is null)
        {
            _hasUnexamined = false;
            return;
        }
        ReceiveSegment tail = _chain.Tail!;
        _hasUnexamined = !(ReferenceEquals(examined.GetObject(), tail) && examined.GetInteger() == tail.Length);
        if (consumed.GetObject() is not ReceiveSegment consumedSegment)
        {
            // The default position: nothing consumed.
            return;
        }
        // Everything consumed: the chain gives the block back, an idle connection holds none.
        if (!_chain.ConsumeTo(consumedSegment, consumed.GetInteger()))
        {
            throw new InvalidOperationException("the position is not in the buffer the last read returned");
        }
        if (_chain.Head is null)
        {
            _hasUnexamined = false;
        }
    }

    /// <inheritdoc />
    public override void CancelPendingRead()
    {
        // A full fence: the flag must be visible before the look for a queued wait, which the reader's queueing
        // (under the signal's lock) then re-checks the flag against; otherwise each could miss the other.
        Interlocked.Exchange(ref _cancelRequested, 1);
        _waiter.TryInterrupt();
    }

    /// <inheritdoc />
    public override void Complete(Exception? exception = null)
    {
        int previous = Interlocked.Or(ref _state, Completed);
        if ((previous & Completed) != 0)
        {
            return;
        }
        if ((previous & InUse) == 0)
        {
            ReleaseBlocksOnce();
        }
        else
        {
            // The caller is reading or holds a buffer, maybe on this very thread (an owner disposing its connection
            // from inside its read loop): a queued wait ends (cancelled), and the caller's read or AdvanceTo
            // releases the blocks. A caller that never comes back leaves them to the garbage collector, never
            // to the pool while it might still read them.
            _waiter.TryInterrupt();
        }
    }

    /// <summary>A result from what is already here: a cancel, unexamined bytes, the end, or the failure.</summary>
    private bool TryReadBuffered(out ReadResult result)
    {
        if (Volatile.Read(ref _cancelRequested) != 0)
        {
            Volatile.Write(ref _cancelRequested, 0);
            result = CreateResult(canceled: true);
            return true;
        }
        if (_hasUnexamined || _ended)
        {
            result = CreateResult(canceled: false);
            return true;
        }
        if (_error is { } error)
        {
            throw error;
        }
        result = default;
        return false;
    }

    /// <summary>
    /// Receives until there are new bytes (true), or queues a wait for the socket's next event and returns
    /// false; the caller then continues in <see cref="OnReadable"/>. <paramref name="eventCame"/>: a wait just
    /// ended, so the first receive goes ahead without asking the signal again (a lock round trip per read).
    /// </summary>
    private bool TryReceive(out ReadResult result, bool eventCame = false)
    {
        // After a receive that found nothing, always wait: with urgent data seen the channel never says a receive
        // needs an event, and asking again would spin.
        bool wait = !eventCame && _channel.ReceiveNeedsEvent;
        BatchedReceive batched = _batched;
        _batched = BatchedReceive.None;
        while (true)
        {
            if (Volatile.Read(ref _cancelRequested) != 0 || (Volatile.Read(ref _state) & Completed) != 0)
            {
                Volatile.Write(ref _cancelRequested, 0);
                result = CreateResult(canceled: true);
                return true;
            }
            if (batched != BatchedReceive.None)
            {
                // The event's turn received already (see TryBeginBatchedReceive).
                if (batched == BatchedReceive.Failed)
                {
                    throw _error!;
                }
                if (batched == BatchedReceive.Ready)
                {
                    result = CreateResult(canceled: false);
                    return true;
                }
                batched = BatchedReceive.None;
                wait = true;
                continue;
            }
            if (wait)
            {
                _wait = _waiter.WaitAsync(_channel.Readable, _channel.EventsBeforeLastReceive, _token);
                if (!_wait.IsCompleted && (Volatile.Read(ref _cancelRequested) != 0 || (Volatile.Read(ref _state) & Completed) != 0))
                {
                    // CancelPendingRead or Complete may have looked for the wait before it was queued.
                    _waiter.TryInterrupt();
                }
                if (!_wait.IsCompleted)
                {
                    result = default;
                    return false;
                }
                ValueTask done = _wait;
                _wait = default;
                done.GetAwaiter().GetResult();
                // An engine turn may have taken the wait between its queueing and here, and received for it.
                batched = _batched;
                _batched = BatchedReceive.None;
                if (batched != BatchedReceive.None)
                {
                    continue;
                }
            }
            if (ReceiveOnce(out result))
            {
                return true;
            }
            wait = true;
        }
    }

    /// <summary>One receive: true with a result when bytes or the end came, false when the kernel had nothing.</summary>
    private bool ReceiveOnce(out ReadResult result)
    {
        ReceiveSegment tail = _chain.ReserveTail(_pool);
        int received;
        try
        {
            received = _channel.ReceiveNow(tail.Free.Span);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            _chain.ReleaseEmptyTail();
            _error = _translateError(ex);
            throw _error;
        }
        if (received > 0)
        {
            tail.Grow(received);
            _hasUnexamined = true;
            result = CreateResult(canceled: false);
            return true;
        }
        _chain.ReleaseEmptyTail();
        if (received == 0)
        {
            _ended = true;
            result = CreateResult(canceled: false);
            return true;
        }
        result = default;
        return false;
    }

    /// <summary>Receives an engine turn made for this reader (tests tell the batched path ran by it).</summary>
    internal long BatchedReceives { get; private set; }

    /// <summary>
    /// An engine turn (<see cref="ReceiveBatch"/>) took this reader's queued wait off the socket's signal: until the
    /// turn wakes it, no one else can, so the buffer is the turn's to receive into. The room to receive into, or
    /// false when the read is over (completed, cancelled) or <paramref name="waiters"/> are not this reader's alone.
    /// </summary>
    internal bool TryBeginBatchedReceive(ReadinessWaiter waiters, out Memory<byte> buffer)
    {
        if (!ReferenceEquals(waiters, _waiter) || waiters.Next is not null
            || Volatile.Read(ref _cancelRequested) != 0 || (Volatile.Read(ref _state) & Completed) != 0)
        {
            buffer = default;
            return false;
        }
        _batchedEvents = _channel.Readable.Events;
        buffer = _chain.ReserveTail(_pool).Free;
        return true;
    }

    /// <summary>Whether the batched receive just begun should take a second block (<see cref="BeginOverflow"/>).</summary>
    internal bool WantsOverflow => _overflowCredit > 0;

    /// <summary>A second block for the batched receive just begun, linked after the first.</summary>
    internal Memory<byte> BeginOverflow()
    {
        _batchedFirst = _chain.Tail;
        return _chain.ReserveOverflow(_pool).Free;
    }

    /// <summary>
    /// The turn's receive into the buffer <see cref="TryBeginBatchedReceive"/> gave, and the one of
    /// <see cref="BeginOverflow"/> when <paramref name="overflowLength"/> is not 0: <paramref name="result"/> is its
    /// count or minus errno. Applied as <see cref="ReceiveOnce"/> would; the woken read then takes the outcome.
    /// </summary>
    internal void EndBatchedReceive(int result, int length, int overflowLength)
    {
        BatchedReceives++;
        int received;
        try
        {
            received = _channel.EndReceive(result, length + overflowLength, _batchedEvents);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            ReleaseEmptyTails();
            _error = _translateError(ex);
            _batched = BatchedReceive.Failed;
            return;
        }
        if (received > 0)
        {
            if (_batchedFirst is null)
            {
                ReceiveSegment tail = _chain.Tail!;
                tail.Grow(received);
                if (received == tail.Capacity)
                {
                    // Filled a whole block: the message may go on, so the next receives take a second one.
                    _overflowCredit = OverflowCredit;
                }
            }
            else
            {
                EndOverflowReceive(received, length);
            }
            _hasUnexamined = true;
            _batched = BatchedReceive.Ready;
            return;
        }
        ReleaseEmptyTails();
        if (received == 0)
        {
            _ended = true;
            _batched = BatchedReceive.Ready;
            return;
        }
        // Nothing queued: wait for the next event; interrupted: receive again.
        _batched = received == -1 ? BatchedReceive.NothingQueued : BatchedReceive.None;
    }

    /// <summary><paramref name="received"/> bytes went into the first block and then the second: one that was not needed goes back.</summary>
    private void EndOverflowReceive(int received, int length)
    {
        ReceiveSegment first = _batchedFirst!;
        _batchedFirst = null;
        if (received > length)
        {
            first.Grow(length);
            _chain.Tail!.Grow(received - length);
            _overflowCredit = OverflowCredit;
            return;
        }
        first.Grow(received);
        _chain.ReleaseOverflow(first);
        if (received < length)
        {
            _overflowCredit--;
        }
    }

    /// <summary>After a receive that brought nothing: the blocks reserved for it (one or two) go back.</summary>
    private void ReleaseEmptyTails()
    {
        if (_batchedFirst is { } first)
        {
            _batchedFirst = null;
            _chain.ReleaseOverflow(first);
        }
        _chain.ReleaseEmptyTail();
    }

    /// <summary>The socket's event (or an interrupt) came: continue the pending read.</summary>
    private void OnReadable()
    {
        ReadResult result = default;
        Exception? failure = null;
        try
        {
            ValueTask done = _wait;
            _wait = default;
            done.GetAwaiter().GetResult();
            if (!TryReceive(out result, eventCame: true))
            {
                _waiter.OnWaitEnded(OnReadableCallback, this);
                return;
            }
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        if ((Volatile.Read(ref _state) & Completed) != 0)
        {
            // Complete ran while this read waited and left the blocks to it.
            EndUse();
            result = new ReadResult(default, isCanceled: true, isCompleted: _ended);
            failure = null;
        }
        else if (failure is not null)
        {
            EndUse();
        }
        if (failure is null)
        {
            _pendingRead.SetResult(result);
        }
        else
        {
            _pendingRead.SetException(failure);
        }
    }

    private ReadResult CreateResult(bool canceled)
    {
        return new ReadResult(_chain.ToSequence(), canceled, _ended);
    }

    /// <summary>After <see cref="Complete"/>: whichever of it and a pending read gets here first returns the blocks.</summary>
    private void ReleaseBlocksOnce()
    {
        if ((Interlocked.Or(ref _state, Released) & Released) != 0)
        {
            return;
        }
        _chain.ReleaseAll();
    }

    /// <summary>Marks the caller inside the reader; throws when it was completed.</summary>
    private void BeginUse()
    {
        if ((Interlocked.Or(ref _state, InUse) & Completed) != 0)
        {
            EndUse();
            ThrowCompleted();
        }
    }

    /// <summary>The caller left the reader (and its buffer): blocks a Complete left behind go back now.</summary>
    private void EndUse()
    {
        if ((Interlocked.And(ref _state, ~InUse) & Completed) != 0)
        {
            ReleaseBlocksOnce();
        }
    }

    /// <summary>What an engine turn's receive left for the woken read.</summary>
    private enum BatchedReceive : byte
    {
        None,
        Ready,
        NothingQueued,
        Failed,
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowCompleted() => throw new InvalidOperationException("Reading is not allowed after the reader was completed.");

    ReadResult IValueTaskSource<ReadResult>.GetResult(short token) => _pendingRead.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ReadResult>.GetStatus(short token) => _pendingRead.GetStatus(token);

    void IValueTaskSource<ReadResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _pendingRead.OnCompleted(continuation, state, token, flags);
}
