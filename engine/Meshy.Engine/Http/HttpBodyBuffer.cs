using System.Buffers;
using System.Threading.Tasks.Sources;
using Meshy.Engine.Transport;

namespace Meshy.Engine.Http;

/// <summary>
/// Body bytes that one producer copies in and one consumer reads out, for a read loop that must move on before
/// the consumer is done with them (HTTP/2: one stream's DATA among other streams' frames). Blocks come from the
/// pool and go back as soon as they are consumed; the producer's flow control bounds how much is held.
/// </summary>
/// <remarks>
/// <para>Takes the place of a <see cref="System.IO.Pipelines.Pipe"/>, which cost a stream seven monitor round
/// trips plus its scheduling and threshold machinery for a body that usually arrives, ends and is read whole in
/// one engine turn. Here each call takes the lock once, and a write that ends the body is one call.</para>
/// <para>Calling pattern: the producer calls <see cref="Write"/> and finally <see cref="Complete"/>; the consumer
/// calls <see cref="ReadAsync"/> and then <see cref="Advance"/>, which consumes everything that read returned.
/// <see cref="CancelPendingRead"/> may come from any thread. <see cref="Release"/> ends the consumer's use and
/// returns the blocks; <see cref="Reset"/> (both sides done) makes the buffer as good as new.</para>
/// <para>A read that has to wait resumes on the thread pool, never inside the producer's call: the producer is
/// a read loop that may hold its connection's lock.</para>
/// </remarks>
public sealed class HttpBodyBuffer : IValueTaskSource<HttpBodyChunk>
{
    private readonly MemoryPool<byte> _pool;
    private readonly Lock _lock = new();
    private ManualResetValueTaskSourceCore<HttpBodyChunk> _pendingRead = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _cancellation;
    private CancellationToken _readToken;

    private ReceiveSegmentChain _chain;

    // The end of what the last read returned: Advance consumes up to it.
    private ReceiveSegment? _readEnd;
    private int _readEndIndex;
    private long _readLength;

    private bool _ended;
    private Exception? _failure;
    private bool _released;
    private bool _waiting;
    private bool _cancelRequested;

    /// <param name="pool">Where blocks come from; the engine's <see cref="BlockMemoryPool.Default"/> when null.</param>
    public HttpBodyBuffer(MemoryPool<byte>? pool = null)
    {
        _pool = pool ?? BlockMemoryPool.Default;
    }

    /// <summary>Bytes written and not yet consumed.</summary>
    public long BufferedLength
    {
        get
        {
            lock (_lock)
            {
                return _chain.Length;
            }
        }
    }

    /// <summary>
    /// Producer: appends a copy of <paramref name="data"/>, and ends the body too when <paramref name="end"/>.
    /// Ignored once the body ended or the consumer released the buffer.
    /// </summary>
    public void Write(in ReadOnlySequence<byte> data, bool end = false)
    {
        bool wake;
        HttpBodyChunk chunk;
        Exception? error;
        CancellationTokenRegistration cancellation;
        lock (_lock)
        {
            if (_ended || _released)
            {
                return;
            }
            if (data.IsSingleSegment)
            {
                CopyInUnsynchronized(data.FirstSpan);
            }
            else
            {
                foreach (ReadOnlyMemory<byte> segment in data)
                {
                    CopyInUnsynchronized(segment.Span);
                }
            }
            _ended = end;
            wake = TryTakeWakeUnsynchronized(out chunk, out error, out cancellation);
        }
        if (wake)
        {
            CompleteRead(chunk, error, cancellation);
        }
    }

    /// <summary>Producer: the body ended, cleanly or with <paramref name="failure"/> (which reads then throw). The first call wins.</summary>
    public void Complete(Exception? failure = null)
    {
        bool wake;
        HttpBodyChunk chunk;
        Exception? error;
        CancellationTokenRegistration cancellation;
        lock (_lock)
        {
            if (_ended)
            {
                return;
            }
            _ended = true;
            _failure = failure;
            wake = TryTakeWakeUnsynchronized(out chunk, out error, out cancellation);
        }
        if (wake)
        {
            CompleteRead(chunk, error, cancellation);
        }
    }

    /// <summary>
    /// Producer: an empty body that ends before any other call can reach this buffer (no consumer yet, nothing
    /// written since <see cref="Reset"/>). Without the lock, as <see cref="Reset"/>: an HTTP/2 request whose
    /// HEADERS carry END_STREAM, before its stream is published.
    /// </summary>
    public void EndUnused() => _ended = true;

    /// <summary>
    /// Consumer: everything written and not yet consumed, with whether the body ended after it; waits when there
    /// is nothing yet. Throws the producer's failure, or <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    public ValueTask<HttpBodyChunk> ReadAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_released, this);
            if (TryTakeOutcomeUnsynchronized(out HttpBodyChunk chunk, out Exception? error))
            {
                return error is null ? new ValueTask<HttpBodyChunk>(chunk) : ValueTask.FromException<HttpBodyChunk>(error);
            }
            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<HttpBodyChunk>(cancellationToken);
            }
            _pendingRead.Reset();
            _waiting = true;
            _readToken = cancellationToken;
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.UnsafeRegister(static state => ((HttpBodyBuffer)state!).OnTokenCanceled(), this);
            }
            return new ValueTask<HttpBodyChunk>(this, _pendingRead.Version);
        }
    }

    /// <summary>Consumer: releases what the last read returned; returns its length (for flow-control credit).</summary>
    public long Advance()
    {
        lock (_lock)
        {
            long consumed = _readLength;
            _readLength = 0;
            ReceiveSegment? end = _readEnd;
            _readEnd = null;
            if (end is not null)
            {
                // All consumed: the chain gives the last block back too, an idle stream holds none.
                _chain.ConsumeTo(end, _readEndIndex);
            }
            return consumed;
        }
    }

    /// <summary>Any thread: a pending read (or else the next one) throws <see cref="OperationCanceledException"/>; nothing is consumed.</summary>
    public void CancelPendingRead()
    {
        bool wake;
        HttpBodyChunk chunk;
        Exception? error;
        CancellationTokenRegistration cancellation;
        lock (_lock)
        {
            _cancelRequested = true;
            wake = TryTakeWakeUnsynchronized(out chunk, out error, out cancellation);
        }
        if (wake)
        {
            CompleteRead(chunk, error, cancellation);
        }
    }

    /// <summary>Consumer: done with the buffer; its blocks go back to the pool and later writes are dropped.</summary>
    public void Release()
    {
        lock (_lock)
        {
            _released = true;
            ReleaseBlocksUnsynchronized();
        }
    }

    /// <summary>
    /// Both sides are done, and no call to this buffer may run concurrently: it is emptied and ready for the next
    /// body. Without the lock, as nobody else can be here (a stream is reset when it goes back to its pool).
    /// </summary>
    public void Reset()
    {
        ReleaseBlocksUnsynchronized();
        _ended = false;
        _failure = null;
        _released = false;
        _waiting = false;
        _cancelRequested = false;
        _readToken = default;
    }

    /// <summary>The outcome a read takes now, if any: a cancel, the failure, or the bytes and whether the body ended.</summary>
    private bool TryTakeOutcomeUnsynchronized(out HttpBodyChunk chunk, out Exception? error)
    {
        chunk = default;
        error = null;
        if (_cancelRequested)
        {
            _cancelRequested = false;
            error = new OperationCanceledException("the body read was cancelled");
            return true;
        }
        if (_failure is not null)
        {
            error = _failure;
            return true;
        }
        if (_chain.Head is null)
        {
            if (_ended)
            {
                chunk = HttpBodyChunk.End;
                return true;
            }
            return false;
        }
        ReadOnlySequence<byte> data = _chain.ToSequence();
        _readEnd = _chain.Tail;
        _readEndIndex = _chain.Tail!.Length;
        _readLength = data.Length;
        chunk = new HttpBodyChunk(data, _ended);
        return true;
    }

    /// <summary>
    /// When a read waits and there is an outcome for it now, takes both (the read no longer waits); the caller then
    /// completes it with <see cref="CompleteRead"/> after leaving the lock, in the same lock round trip as its change.
    /// </summary>
    private bool TryTakeWakeUnsynchronized(out HttpBodyChunk chunk, out Exception? error, out CancellationTokenRegistration cancellation)
    {
        cancellation = default;
        if (!_waiting)
        {
            chunk = default;
            error = null;
            return false;
        }
        if (!TryTakeOutcomeUnsynchronized(out chunk, out error))
        {
            return false;
        }
        _waiting = false;
        cancellation = _cancellation;
        _cancellation = default;
        return true;
    }

    /// <summary>Completes the read taken by <see cref="TryTakeWakeUnsynchronized"/> (outside the lock: unregistering the token may wait).</summary>
    private void CompleteRead(HttpBodyChunk chunk, Exception? error, CancellationTokenRegistration cancellation)
    {
        cancellation.Unregister();
        if (error is null)
        {
            _pendingRead.SetResult(chunk);
        }
        else
        {
            _pendingRead.SetException(error);
        }
    }

    private void OnTokenCanceled()
    {
        CancellationToken token;
        lock (_lock)
        {
            if (!_waiting)
            {
                return;
            }
            _waiting = false;
            token = _readToken;
            _cancellation = default;
        }
        _pendingRead.SetException(new OperationCanceledException(token));
    }

    private void CopyInUnsynchronized(ReadOnlySpan<byte> source)
    {
        while (!source.IsEmpty)
        {
            ReceiveSegment tail = _chain.ReserveTail(_pool);
            Span<byte> free = tail.Free.Span;
            int count = Math.Min(free.Length, source.Length);
            source[..count].CopyTo(free);
            tail.Grow(count);
            source = source[count..];
        }
    }

    private void ReleaseBlocksUnsynchronized()
    {
        _chain.ReleaseAll();
        _readEnd = null;
        _readLength = 0;
    }

    HttpBodyChunk IValueTaskSource<HttpBodyChunk>.GetResult(short token) => _pendingRead.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<HttpBodyChunk>.GetStatus(short token) => _pendingRead.GetStatus(token);

    void IValueTaskSource<HttpBodyChunk>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _pendingRead.OnCompleted(continuation, state, token, flags);
}
