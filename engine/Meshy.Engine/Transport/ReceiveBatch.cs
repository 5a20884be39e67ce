using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Meshy.Engine.Transport;

/// <summary>
/// An engine turn's events, with the receives they allow made in one system call: the read waiters of every
/// event are taken off their signals first, the readers among them receive through one <see cref="IoUring"/>
/// submission, and only then are the waiters woken, in event order, each read finding its bytes already there.
/// A turn of n ready readers costs one <c>io_uring_enter</c> instead of n <c>recv</c> calls.
/// </summary>
/// <remarks>
/// A taken waiter cannot be woken, interrupted or cancelled by anyone else until the turn wakes it, so its
/// reader's buffer is the turn's meanwhile. Each socket's handle is referenced for the call, so a socket closed
/// by another thread in between keeps its descriptor (and no new socket takes its number) until the call is over.
/// Engine thread only.
/// </remarks>
internal sealed unsafe class ReceiveBatch
{
    private readonly IoUring _ring;
    private readonly EpollSocketChannel?[] _channels;
    private readonly ReadinessWaiter?[] _readWaiters;
    private readonly SocketReader?[] _readers;
    private readonly SafeSocketHandle?[] _handles;
    private readonly MemoryHandle[] _pins;
    private readonly int[] _lengths;
    private readonly MemoryHandle[] _overflowPins;
    private readonly int[] _overflowLengths;
    // Receives into two blocks go as recvmsg: each slot's header and its two vectors, on the pinned heap so the
    // kernel can read them during the submission.
    private readonly EpollInterop.MessageHeader[] _messages;
    private readonly EpollInterop.IoVector[] _vectors;
    private int _queued;

    /// <summary>A batch for a turn of up to <paramref name="maxEvents"/> events, receiving through <paramref name="ring"/>.</summary>
    public ReceiveBatch(IoUring ring, int maxEvents)
    {
        _ring = ring;
        _channels = new EpollSocketChannel?[maxEvents];
        _readWaiters = new ReadinessWaiter?[maxEvents];
        _readers = new SocketReader?[ring.Capacity];
        _handles = new SafeSocketHandle?[ring.Capacity];
        _pins = new MemoryHandle[ring.Capacity];
        _lengths = new int[ring.Capacity];
        _overflowPins = new MemoryHandle[ring.Capacity];
        _overflowLengths = new int[ring.Capacity];
        _messages = GC.AllocateArray<EpollInterop.MessageHeader>(ring.Capacity, pinned: true);
        _vectors = GC.AllocateArray<EpollInterop.IoVector>(2 * ring.Capacity, pinned: true);
    }

    /// <summary>Handles a turn's <paramref name="channels"/> and their <paramref name="events"/>, as <see cref="EpollSocketChannel.OnEvents"/> would one by one.</summary>
    public void Dispatch(ReadOnlySpan<EpollSocketChannel?> channels, ReadOnlySpan<uint> events, bool wakeAsynchronously)
    {
        for (int i = 0; i < channels.Length; i++)
        {
            if (channels[i] is not { } channel || !EpollSocketChannel.IsReadEvent(events[i]))
            {
                continue;
            }
            ReadinessWaiter? waiters = channel.TakeReadable(events[i]);
            _readWaiters[i] = waiters;
            if (waiters is not null && channel.Reader is { } reader)
            {
                Queue(channel, reader, waiters);
            }
        }
        Submit();
        for (int i = 0; i < channels.Length; i++)
        {
            if (channels[i] is not { } channel)
            {
                continue;
            }
            if (EpollSocketChannel.IsReadEvent(events[i]))
            {
                // Taken in the first pass, whoever else closed or completed what meanwhile: woken here or never.
                ReadinessSignal.Wake(_readWaiters[i], wakeAsynchronously);
                _readWaiters[i] = null;
            }
            channel.OnWriteEvents(events[i], wakeAsynchronously);
        }
    }

    private void Queue(EpollSocketChannel channel, SocketReader reader, ReadinessWaiter waiters)
    {
        if (_queued == _ring.Capacity)
        {
            Submit();
        }
        SafeSocketHandle handle = channel.Handle;
        bool referenced = false;
        try
        {
            handle.DangerousAddRef(ref referenced);
        }
        catch (ObjectDisposedException)
        {
            return;     // closed: the woken read finds out itself
        }
        if (!reader.TryBeginBatchedReceive(waiters, out Memory<byte> buffer))
        {
            handle.DangerousRelease();
            return;
        }
        MemoryHandle pin = buffer.Pin();
        int index = _queued++;
        _readers[index] = reader;
        _handles[index] = handle;
        _pins[index] = pin;
        _lengths[index] = buffer.Length;
        int fd = (int)handle.DangerousGetHandle();
        if (!reader.WantsOverflow)
        {
            _overflowLengths[index] = 0;
            bool queued = _ring.TryQueueReceive(fd, (byte*)pin.Pointer, buffer.Length, (ulong)index);
            Debug.Assert(queued, "a slot was checked free above");
            return;
        }
        QueueWithOverflow(fd, index, reader.BeginOverflow());
    }

    /// <summary>Queues slot <paramref name="index"/> as a recvmsg into its first block and then <paramref name="overflow"/>.</summary>
    private void QueueWithOverflow(int fd, int index, Memory<byte> overflow)
    {
        MemoryHandle overflowPin = overflow.Pin();
        _overflowPins[index] = overflowPin;
        _overflowLengths[index] = overflow.Length;
        ref EpollInterop.IoVector vectors = ref _vectors[2 * index];
        vectors = new EpollInterop.IoVector { Base = (byte*)_pins[index].Pointer, Length = (nuint)_lengths[index] };
        Unsafe.Add(ref vectors, 1) = new EpollInterop.IoVector { Base = (byte*)overflowPin.Pointer, Length = (nuint)overflow.Length };
        ref EpollInterop.MessageHeader message = ref _messages[index];
        message = new EpollInterop.MessageHeader { Vectors = (EpollInterop.IoVector*)Unsafe.AsPointer(ref vectors), VectorCount = 2 };
        bool queued = _ring.TryQueueReceiveMessage(fd, (EpollInterop.MessageHeader*)Unsafe.AsPointer(ref message), (ulong)index);
        Debug.Assert(queued, "a slot was checked free above");
    }

    private void Submit()
    {
        int queued = _queued;
        if (queued == 0)
        {
            return;
        }
        try
        {
            var completions = new Completions(this);
            _ring.Submit(ref completions);
        }
        finally
        {
            // Whatever happened, no handle stays referenced: a socket's close waits for its last reference.
            for (int i = 0; i < queued; i++)
            {
                _pins[i].Dispose();
                _pins[i] = default;
                if (_overflowLengths[i] != 0)
                {
                    _overflowPins[i].Dispose();
                    _overflowPins[i] = default;
                }
                _handles[i]!.DangerousRelease();
                _handles[i] = null;
                _readers[i] = null;
            }
            _queued = 0;
        }
    }

    private readonly struct Completions(ReceiveBatch batch) : IoUring.ICompletion
    {
        public void Complete(ulong userData, int result) =>
            batch._readers[(int)userData]!.EndBatchedReceive(result, batch._lengths[(int)userData], batch._overflowLengths[(int)userData]);
    }
}
