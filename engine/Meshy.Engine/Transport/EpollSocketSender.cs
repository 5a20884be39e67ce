using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using Meshy.Engine.Tasks;

namespace Meshy.Engine.Transport;

/// <summary>
/// A <see cref="SocketSender"/> on an <see cref="EpollSocketChannel"/>: a plain <c>send</c>, or one
/// <c>sendmsg</c> over the segments of a multi-segment buffer, straight from their memory; only a send the
/// kernel cannot take now (EAGAIN) waits for write readiness. On an engine thread with a <see cref="SendBatch"/>
/// the send joins the turn's batch instead, and the task completes when the batch is flushed.
/// </summary>
internal sealed class EpollSocketSender(EpollSocketChannel channel) : SocketSender, IValueTaskSource
{
    // IOV_MAX is 1024; a 1 MiB pipe read spans 64 blocks of 16 KiB, so one call takes it whole.
    private const int MaxVectors = 64;

    // The pins live for one synchronous system call on the calling thread, so one array per thread serves all senders.
    [ThreadStatic]
    private static MemoryHandle[]? _pins;

    private readonly ReadinessWaiter _waiter = new();

    // A batched send: its completion, what it was to send, and (once the batch sent part of it) the plain send of the rest.
    private ManualResetValueTaskSourceCore<bool> _batched = new() { RunContinuationsAsynchronously = false };
    private ReadOnlySequence<byte> _batchedBuffer;
    private CancellationToken _batchedToken;
    private ValueTask _restSend;
    private Action? _onRestSent;

    /// <inheritdoc />
    public override ValueTask SendAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty || cancellationToken.IsCancellationRequested)
        {
            return cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled(cancellationToken) : ValueTask.CompletedTask;
        }
        if (!SendsAtOnce && SendBatch.Current is { } batch && TryJoin(batch, buffer, cancellationToken))
        {
            return new ValueTask(this, _batched.Version);
        }
        return SendNowAsync(buffer, cancellationToken);
    }

    /// <inheritdoc />
    public override ValueTask SendAsync(ReadOnlyMemory<byte> memory, CancellationToken cancellationToken) =>
        SendAsync(new ReadOnlySequence<byte>(memory), cancellationToken);

    /// <inheritdoc />
    public override ValueTask SendAtOnceAsync(ReadOnlyMemory<byte> memory, CancellationToken cancellationToken) =>
        memory.IsEmpty ? ValueTask.CompletedTask : SendNowAsync(memory, cancellationToken);

    private bool TryJoin(SendBatch batch, in ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        // A queued send's buffer is never empty, so a buffer held means one is queued.
        if (!_batchedBuffer.IsEmpty)
        {
            // Its bytes would go out ahead of, or mixed with, those of the send still queued.
            throw new InvalidOperationException("A send is already under way on this socket: one send at a time.");
        }
        if (!batch.TryQueue(this, channel.Handle, buffer))
        {
            return false;
        }
        _batched.Reset();
        _batchedBuffer = buffer;
        _batchedToken = cancellationToken;
        return true;
    }

    /// <summary>
    /// The batch's send ended with <paramref name="result"/> (bytes taken, or minus errno): the task completes, or
    /// the rest goes on as a plain send (which may wait for write readiness) and the task completes with that.
    /// </summary>
    internal void EndBatchedSend(int result)
    {
        ReadOnlySequence<byte> rest = _batchedBuffer;
        CancellationToken cancellationToken = _batchedToken;
        _batchedBuffer = default;
        _batchedToken = default;
        if (result == SendBatch.Closed)
        {
            _batched.SetException(new ObjectDisposedException(typeof(Socket).FullName));
            return;
        }
        if (result >= 0)
        {
            CountSent(result);
            rest = rest.Slice(result);
            if (rest.IsEmpty)
            {
                _batched.SetResult(true);
                return;
            }
        }
        else if (-result is not (EpollInterop.EAgain or EpollInterop.EIntr))
        {
            _batched.SetException(Broken(-result));
            return;
        }
        ValueTask send;
        try
        {
            send = SendNowAsync(rest, cancellationToken);
        }
        catch (Exception ex)
        {
            _batched.SetException(ex);
            return;
        }
        if (send.IsCompleted)
        {
            EndRestSend(send);
            return;
        }
        _restSend = send;
        send.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onRestSent ??= OnRestSent);
    }

    private void OnRestSent()
    {
        ValueTask send = _restSend;
        _restSend = default;
        EndRestSend(send);
    }

    private void EndRestSend(ValueTask send)
    {
        try
        {
            send.GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            _batched.SetException(ex);
            return;
        }
        _batched.SetResult(true);
    }

    void IValueTaskSource.GetResult(short token) => _batched.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _batched.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _batched.OnCompleted(continuation, state, token, flags);

    /// <summary>Sends now: system calls until the kernel took everything, waiting for write readiness where it is full.</summary>
    private ValueTask SendNowAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.IsSingleSegment)
        {
            return SendNowAsync(buffer.First, cancellationToken);
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }
        while (!buffer.IsEmpty)
        {
            long events = channel.Writable.Events;
            long sent = TrySendGathered(buffer);
            if (sent > 0)
            {
                buffer = buffer.Slice(sent);
                continue;
            }
            if (!TryWait(sent, events, cancellationToken, out ValueTask wait))
            {
                return wait;
            }
            if (!wait.IsCompleted)
            {
                return AwaitSequenceAsync(wait, buffer, cancellationToken);
            }
            wait.GetAwaiter().GetResult();
        }
        return ValueTask.CompletedTask;
    }

    private ValueTask SendNowAsync(ReadOnlyMemory<byte> memory, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }
        while (!memory.IsEmpty)
        {
            long events = channel.Writable.Events;
            long sent = TrySend(memory.Span);
            if (sent > 0)
            {
                memory = memory[(int)sent..];
                continue;
            }
            if (!TryWait(sent, events, cancellationToken, out ValueTask wait))
            {
                return wait;
            }
            if (!wait.IsCompleted)
            {
                return AwaitMemoryAsync(wait, memory, cancellationToken);
            }
            wait.GetAwaiter().GetResult();
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// After a send that took nothing (minus errno): true with the wait for write readiness when the kernel
    /// was full, true with nothing to wait for after EINTR, false with the failure otherwise.
    /// </summary>
    private bool TryWait(long result, long events, CancellationToken cancellationToken, out ValueTask wait)
    {
        int errno = (int)-result;
        if (errno == EpollInterop.EAgain)
        {
            wait = _waiter.WaitAsync(channel.Writable, events, cancellationToken);
            return true;
        }
        if (errno == EpollInterop.EIntr)
        {
            wait = ValueTask.CompletedTask;
            return true;
        }
        wait = ValueTask.FromException(Broken(errno));
        return false;
    }

    /// <inheritdoc />
    public override bool FailureEndsReads => true;

    /// <summary>
    /// The error of a send that failed with <paramref name="errno"/>. The stream is broken from here (how much of the
    /// send went is unknown), so the socket is shut down both ways: a read waiting on it ends now, not at a timeout
    /// (the router reads an upstream's response while the request's head is still being sent).
    /// </summary>
    private SocketException Broken(int errno)
    {
        try
        {
            channel.Socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already reset or closed: reads have ended anyway.
        }
        return new SocketException((int)EpollInterop.ToSocketError(errno));
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private async ValueTask AwaitSequenceAsync(ValueTask wait, ReadOnlySequence<byte> rest, CancellationToken cancellationToken)
    {
        await wait.ConfigureAwait(false);
        await SendNowAsync(rest, cancellationToken).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private async ValueTask AwaitMemoryAsync(ValueTask wait, ReadOnlyMemory<byte> rest, CancellationToken cancellationToken)
    {
        await wait.ConfigureAwait(false);
        await SendNowAsync(rest, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Bytes the kernel took (counted), or minus errno.</summary>
    private unsafe long TrySend(ReadOnlySpan<byte> data)
    {
        fixed (byte* pointer = data)
        {
            nint sent = EpollInterop.Send(channel.Handle, pointer, (nuint)data.Length, EpollInterop.MsgNoSignal);
            if (sent < 0)
            {
                return -Marshal.GetLastSystemError();
            }
            CountSent((int)sent);
            return sent;
        }
    }

    /// <summary>Up to <see cref="MaxVectors"/> segments in one <c>sendmsg</c>: bytes the kernel took (counted), or minus errno.</summary>
    /// <remarks>
    /// The first segment is pinned with <c>fixed</c>: it is usually a message head written into an ordinary array,
    /// which <see cref="ReadOnlyMemory{T}.Pin"/> would pin with a GC handle (allocated and freed per send). The rest
    /// are mostly pool blocks, whose pinning is free.
    /// </remarks>
    private unsafe long TrySendGathered(in ReadOnlySequence<byte> buffer)
    {
        MemoryHandle[] pins = _pins ??= new MemoryHandle[MaxVectors];
        EpollInterop.IoVector* vectors = stackalloc EpollInterop.IoVector[MaxVectors];
        ReadOnlySequence<byte>.Enumerator segments = buffer.GetEnumerator();
        ReadOnlyMemory<byte> first = default;
        while (first.IsEmpty && segments.MoveNext())
        {
            first = segments.Current;
        }
        int pinned = 0;
        fixed (byte* firstPointer = first.Span)
        {
            try
            {
                vectors[0].Base = firstPointer;
                vectors[0].Length = (nuint)first.Length;
                int count = 1;
                while (count < MaxVectors && segments.MoveNext())
                {
                    ReadOnlyMemory<byte> segment = segments.Current;
                    if (segment.IsEmpty)
                    {
                        continue;
                    }
                    pins[pinned] = segment.Pin();
                    vectors[count].Base = (byte*)pins[pinned].Pointer;
                    vectors[count].Length = (nuint)segment.Length;
                    pinned++;
                    count++;
                }
                var message = new EpollInterop.MessageHeader { Vectors = vectors, VectorCount = (nuint)count };
                nint sent = EpollInterop.SendMessage(channel.Handle, &message, EpollInterop.MsgNoSignal);
                if (sent < 0)
                {
                    return -Marshal.GetLastSystemError();
                }
                CountSent((int)sent);
                return sent;
            }
            finally
            {
                for (int i = 0; i < pinned; i++)
                {
                    pins[i].Dispose();
                    pins[i] = default;
                }
            }
        }
    }
}
