using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Meshy.Engine.Transport;

/// <summary>
/// The sends an engine turn's work makes, made in one system call at the end of the turn: a send started on the
/// engine's thread is queued here instead of going to the kernel, and its sender's task completes once
/// <see cref="Flush"/> has submitted the lot through one <see cref="IoUring"/> call. A turn that answers n
/// requests costs one <c>io_uring_enter</c> for their sends instead of n <c>send</c> calls.
/// </summary>
/// <remarks>
/// Each buffer is pinned from the queuing until the call returns, and each socket's handle referenced for the call,
/// so neither the memory nor the descriptor can go away under the kernel. A send the kernel takes only in part (or not at all: EAGAIN) goes on
/// as a plain send from where it stopped, waiting for write readiness if it must. Work run by <see cref="Flush"/>
/// (the senders' continuations) may send again; those sends join the next submission of the same flush.
/// Engine thread only.
/// </remarks>
internal sealed unsafe class SendBatch : IDisposable
{
    // A sendmsg takes at most this many segments; a longer buffer's rest goes on as a plain send.
    private const int MaxVectorsPerSend = 64;
    private const int VectorCapacity = 4096;

    /// <summary>The result of a send whose socket was closed before the batch was submitted.</summary>
    public const int Closed = int.MinValue;

    [ThreadStatic]
    private static SendBatch? _current;

    private readonly IoUring _ring;
    private readonly EpollSocketSender?[] _senders;
    private readonly SafeSocketHandle?[] _handles;
    private readonly bool[] _referenced;
    private readonly int[] _results;
    private readonly EpollSocketSender?[] _completing;
    private readonly int[] _completingResults;
    private readonly MemoryHandle[] _pins = new MemoryHandle[VectorCapacity];
    private readonly EpollInterop.MessageHeader* _messages;
    private readonly EpollInterop.IoVector* _vectors;
    private int _queued;
    private int _pinned;
    private int _vectorsUsed;

    /// <summary>A batch submitting through <paramref name="ring"/>, which it shares with the turn's receives (never at once).</summary>
    public SendBatch(IoUring ring)
    {
        _ring = ring;
        int capacity = ring.Capacity;
        _senders = new EpollSocketSender?[capacity];
        _handles = new SafeSocketHandle?[capacity];
        _referenced = new bool[capacity];
        _results = new int[capacity];
        _completing = new EpollSocketSender?[capacity];
        _completingResults = new int[capacity];
        _messages = (EpollInterop.MessageHeader*)NativeMemory.AllocZeroed((nuint)capacity, (nuint)sizeof(EpollInterop.MessageHeader));
        _vectors = (EpollInterop.IoVector*)NativeMemory.Alloc(VectorCapacity, (nuint)sizeof(EpollInterop.IoVector));
    }

    /// <summary>
    /// The batch sends on this thread join: its engine's (set once when the engine starts), or null off an engine
    /// thread, without io_uring, or where continuations do not run on the engine's thread.
    /// </summary>
    public static SendBatch? Current
    {
        get => _current;
        set => _current = value;
    }

    /// <summary>
    /// Queues the send of <paramref name="buffer"/> (not empty) by <paramref name="sender"/>, whose own task then
    /// completes at <see cref="Flush"/>; false when the batch is full (send it plainly).
    /// </summary>
    public bool TryQueue(EpollSocketSender sender, SafeSocketHandle handle, in ReadOnlySequence<byte> buffer)
    {
        if (_queued == _senders.Length || _vectorsUsed + MaxVectorsPerSend > VectorCapacity)
        {
            return false;
        }
        int index = _queued;
        EpollInterop.MessageHeader* message = _messages + index;
        EpollInterop.IoVector* vectors = _vectors + _vectorsUsed;
        int count = 0;
        foreach (ReadOnlyMemory<byte> segment in buffer)
        {
            if (segment.IsEmpty)
            {
                continue;
            }
            if (count == MaxVectorsPerSend)
            {
                break;
            }
            MemoryHandle pin = segment.Pin();
            _pins[_pinned++] = pin;
            vectors[count].Base = (byte*)pin.Pointer;
            vectors[count].Length = (nuint)segment.Length;
            count++;
        }
        _vectorsUsed += count;
        *message = new EpollInterop.MessageHeader { Vectors = vectors, VectorCount = (nuint)count };
        _senders[index] = sender;
        _handles[index] = handle;
        _queued++;
        return true;
    }

    /// <summary>
    /// Submits every queued send and completes their senders, then does the same for the sends their continuations
    /// made, until none is left. Call it before the engine waits for events again.
    /// </summary>
    public void Flush()
    {
        while (_queued > 0)
        {
            int count = _queued;
            try
            {
                Submit(count);
            }
            finally
            {
                // Whatever happened, nothing stays pinned or referenced: a socket's close waits for its last reference.
                for (int i = 0; i < _pinned; i++)
                {
                    _pins[i].Dispose();
                    _pins[i] = default;
                }
                for (int i = 0; i < count; i++)
                {
                    if (_referenced[i])
                    {
                        _handles[i]!.DangerousRelease();
                        _referenced[i] = false;
                    }
                    _handles[i] = null;
                    _completing[i] = _senders[i];
                    _completingResults[i] = _results[i];
                    _senders[i] = null;
                }
                _pinned = 0;
                _vectorsUsed = 0;
                _queued = 0;
            }
            // Continuations run here may queue sends of their own: into the emptied slots, for the next round.
            for (int i = 0; i < count; i++)
            {
                EpollSocketSender sender = _completing[i]!;
                _completing[i] = null;
                sender.EndBatchedSend(_completingResults[i]);
            }
        }
    }

    /// <summary>
    /// Hands the sends to the kernel. Each socket's handle is referenced only now, for the call: a socket closed
    /// since its send was queued (this thread may have closed it) fails that send, and no descriptor number can
    /// pass to another socket under the call. (Holding the reference from the queuing on would make a close on
    /// this thread wait for a flush that could never come: a socket's close spins until its last reference goes.)
    /// </summary>
    private void Submit(int count)
    {
        for (int i = 0; i < count; i++)
        {
            try
            {
                _handles[i]!.DangerousAddRef(ref _referenced[i]);
            }
            catch (ObjectDisposedException)
            {
                _results[i] = Closed;
                continue;
            }
            int fd = (int)_handles[i]!.DangerousGetHandle();
            EpollInterop.MessageHeader* message = _messages + i;
            // The slots fit the ring (one each), so every one is queued; were one not, its send would go on plainly.
            _results[i] = -EpollInterop.EAgain;
            if (message->VectorCount == 1)
            {
                _ring.TryQueueSend(fd, message->Vectors[0].Base, (int)message->Vectors[0].Length, (ulong)i);
            }
            else
            {
                _ring.TryQueueSendMessage(fd, message, (ulong)i);
            }
        }
        var completions = new Completions(this);
        _ring.Submit(ref completions);
    }

    /// <summary>Frees the native storage (the ring is the engine's).</summary>
    public void Dispose()
    {
        NativeMemory.Free(_messages);
        NativeMemory.Free(_vectors);
    }

    private readonly struct Completions(SendBatch batch) : IoUring.ICompletion
    {
        public void Complete(ulong userData, int result) => batch._results[(int)userData] = result;
    }
}
