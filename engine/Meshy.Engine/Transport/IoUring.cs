using System.Runtime.InteropServices;

namespace Meshy.Engine.Transport;

/// <summary>
/// An io_uring used as a batch of system calls, not as an asynchronous engine: an engine thread queues the
/// receives of a turn's ready sockets, or the sends its work made, and the kernel runs them all in one
/// <c>io_uring_enter</c>. Every operation carries <c>MSG_DONTWAIT</c>, so the kernel finishes it inside that
/// call (a socket with nothing queued, or no room, answers EAGAIN instead of being watched), and no buffer is
/// left to the kernel afterwards.
/// </summary>
/// <remarks>
/// Where the transition into the kernel is dear (a paravirtualised guest here spends about 1 µs per system
/// call) one call for many sockets is most of a receive's cost. One thread uses a ring; it is never shared.
/// </remarks>
internal sealed unsafe partial class IoUring : IDisposable
{
    private const int SetupSyscall = 425;       // io_uring_setup, io_uring_enter: one number on every architecture
    private const int EnterSyscall = 426;
    private const byte OpSendMessage = 9;        // IORING_OP_SENDMSG
    private const byte OpReceiveMessage = 10;    // IORING_OP_RECVMSG
    private const byte OpSend = 26;              // IORING_OP_SEND
    private const byte OpReceive = 27;           // IORING_OP_RECV
    private const uint EnterGetEvents = 1;       // IORING_ENTER_GETEVENTS
    private const uint FeatureSingleMmap = 1;    // IORING_FEAT_SINGLE_MMAP
    private const long SqRingOffset = 0;
    private const long CqRingOffset = 0x8000000;
    private const long SqesOffset = 0x10000000;
    private const int MsgDontWait = 0x40;
    private const int SendFlags = MsgDontWait | EpollInterop.MsgNoSignal;
    private const int SqeSize = 64;
    private const int CqeSize = 16;

    /// <summary>Set to <c>0</c> to keep every receive a plain <c>recv</c> (the kernel's io_uring unused).</summary>
    public const string EnvironmentVariable = "MESHY_IO_URING";

    private readonly int _ringFd;
    private readonly uint* _sqTail;
    private readonly uint _sqMask;
    private readonly byte* _sqes;
    private readonly uint* _cqHead;
    private readonly uint* _cqTail;
    private readonly uint _cqMask;
    private readonly byte* _cqes;
    private readonly (nint Address, nuint Length)[] _mappings;
    private uint _queued;

    private IoUring(int ringFd, in Parameters parameters, (nint, nuint)[] mappings, byte* sqRing, byte* cqRing, byte* sqes)
    {
        _ringFd = ringFd;
        _mappings = mappings;
        Capacity = (int)parameters.SqEntries;
        _sqTail = (uint*)(sqRing + parameters.SqOffsets.Tail);
        _sqMask = *(uint*)(sqRing + parameters.SqOffsets.RingMask);
        _sqes = sqes;
        _cqHead = (uint*)(cqRing + parameters.CqOffsets.Head);
        _cqTail = (uint*)(cqRing + parameters.CqOffsets.Tail);
        _cqMask = *(uint*)(cqRing + parameters.CqOffsets.RingMask);
        _cqes = cqRing + parameters.CqOffsets.Cqes;
        // The submission array maps slot i to entry i for good: entries are filled in ring order.
        uint* array = (uint*)(sqRing + parameters.SqOffsets.Array);
        for (uint i = 0; i < parameters.SqEntries; i++)
        {
            array[i] = i;
        }
    }

    /// <summary>Operations one <see cref="Submit"/> takes at most.</summary>
    public int Capacity { get; }

    /// <summary>Operations queued since the last <see cref="Submit"/>.</summary>
    public int Queued => (int)_queued;

    /// <summary>
    /// A ring of <paramref name="entries"/>, or null where there is none to have: not Linux x64/arm64, io_uring
    /// refused (an old kernel, <c>kernel.io_uring_disabled</c>, a seccomp filter), <see cref="EnvironmentVariable"/>
    /// set to 0, or a kernel that would wait on a <c>MSG_DONTWAIT</c> receive or send instead of answering at once.
    /// </summary>
    /// <param name="entries">Operations per submission (rounded up to a power of two by the kernel).</param>
    /// <param name="setting"><see cref="EnvironmentVariable"/>'s value: "0" for none.</param>
    public static IoUring? TryCreate(uint entries, string? setting)
    {
        if (!EpollInterop.IsSupported || setting == "0")
        {
            return null;
        }
        Parameters parameters = default;
        int ringFd = (int)Syscall(SetupSyscall, entries, (long)&parameters, 0, 0, 0);
        if (ringFd < 0)
        {
            return null;
        }
        nuint sqSize = parameters.SqOffsets.Array + (parameters.SqEntries * sizeof(uint));
        nuint cqSize = parameters.CqOffsets.Cqes + (parameters.CqEntries * CqeSize);
        bool single = (parameters.Features & FeatureSingleMmap) != 0;
        if (single)
        {
            sqSize = cqSize = Math.Max(sqSize, cqSize);
        }
        byte* sqRing = Map(ringFd, sqSize, SqRingOffset);
        byte* cqRing = single || sqRing == null ? sqRing : Map(ringFd, cqSize, CqRingOffset);
        byte* sqes = cqRing == null ? null : Map(ringFd, parameters.SqEntries * SqeSize, SqesOffset);
        (nint, nuint)[] mappings = single
            ? [((nint)sqRing, sqSize), ((nint)sqes, parameters.SqEntries * SqeSize)]
            : [((nint)sqRing, sqSize), ((nint)cqRing, cqSize), ((nint)sqes, parameters.SqEntries * SqeSize)];
        if (sqes == null)
        {
            foreach ((nint address, nuint length) in mappings)
            {
                if (address != 0)
                {
                    MemoryUnmap((void*)address, length);
                }
            }
            Close(ringFd);
            return null;
        }
        var ring = new IoUring(ringFd, parameters, mappings, sqRing, cqRing, sqes);
        if (!ring.AnswersAtOnce())
        {
            ring.Dispose();
            return null;
        }
        return ring;
    }

    /// <summary>Unmaps the ring and closes it; any operation still in the kernel ends with it.</summary>
    public void Dispose()
    {
        foreach ((nint address, nuint length) in _mappings)
        {
            MemoryUnmap((void*)address, length);
        }
        Close(_ringFd);
    }

    /// <summary>Queues a non-blocking <c>recv</c> of up to <paramref name="length"/> bytes; false when the batch is full.</summary>
    public bool TryQueueReceive(int fd, byte* buffer, int length, ulong userData) =>
        TryQueue(OpReceive, fd, (ulong)buffer, (uint)length, MsgDontWait, userData);

    /// <summary>
    /// Queues a non-blocking <c>recvmsg</c> into the vectors of <paramref name="message"/>; false when the batch is
    /// full. As with <see cref="TryQueueSendMessage"/>, they must stay where they are until <see cref="Submit"/> returns.
    /// </summary>
    public bool TryQueueReceiveMessage(int fd, EpollInterop.MessageHeader* message, ulong userData) =>
        TryQueue(OpReceiveMessage, fd, (ulong)message, 1, MsgDontWait, userData);

    /// <summary>Queues a non-blocking <c>send</c> of <paramref name="length"/> bytes; false when the batch is full.</summary>
    public bool TryQueueSend(int fd, byte* buffer, int length, ulong userData) =>
        TryQueue(OpSend, fd, (ulong)buffer, (uint)length, SendFlags, userData);

    /// <summary>
    /// Queues a non-blocking <c>sendmsg</c>; false when the batch is full. The kernel reads <paramref name="message"/>
    /// and its vectors during <see cref="Submit"/>, so they must stay where they are until it returns.
    /// </summary>
    public bool TryQueueSendMessage(int fd, EpollInterop.MessageHeader* message, ulong userData) =>
        TryQueue(OpSendMessage, fd, (ulong)message, 1, SendFlags, userData);

    private bool TryQueue(byte opcode, int fd, ulong address, uint length, int flags, ulong userData)
    {
        if (_queued == Capacity)
        {
            return false;
        }
        uint tail = *_sqTail + _queued;
        byte* sqe = _sqes + ((tail & _sqMask) * SqeSize);
        new Span<byte>(sqe, SqeSize).Clear();
        sqe[0] = opcode;
        *(int*)(sqe + 4) = fd;
        *(ulong*)(sqe + 16) = address;
        *(uint*)(sqe + 24) = length;
        *(int*)(sqe + 28) = flags;
        *(ulong*)(sqe + 32) = userData;
        _queued++;
        return true;
    }

    /// <summary>
    /// Runs the queued operations in one <c>io_uring_enter</c> and passes each one's user data and result (a count,
    /// or minus errno) to <paramref name="complete"/>, in no particular order.
    /// </summary>
    public void Submit<TCompletion>(ref TCompletion complete)
        where TCompletion : struct, ICompletion
    {
        uint queued = _queued;
        if (queued == 0)
        {
            return;
        }
        _queued = 0;
        Volatile.Write(ref *_sqTail, *_sqTail + queued);
        uint done = 0;
        uint submitted = 0;
        while (done < queued)
        {
            // Each operation ends inside the call that submits it (MSG_DONTWAIT), so this waits only where a kernel
            // finished one on a worker thread. Never wait while some are unsubmitted: they would never complete.
            bool allSubmitted = submitted == queued;
            long result = allSubmitted
                ? Syscall(EnterSyscall, _ringFd, 0, queued - done, EnterGetEvents, 0)
                : Syscall(EnterSyscall, _ringFd, queued - submitted, 0, 0, 0);
            if (result < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is not (EpollInterop.EIntr or EpollInterop.EAgain or 16))     // EBUSY: completions to reap first
                {
                    Environment.FailFast($"io_uring_enter failed with errno {errno}");
                }
            }
            else
            {
                submitted += (uint)result;
            }
            done += Harvest(ref complete);
        }
    }

    private uint Harvest<TCompletion>(ref TCompletion complete)
        where TCompletion : struct, ICompletion
    {
        uint head = *_cqHead;
        uint tail = Volatile.Read(ref *_cqTail);
        for (uint i = head; i != tail; i++)
        {
            byte* cqe = _cqes + ((i & _cqMask) * CqeSize);
            complete.Complete(*(ulong*)cqe, *(int*)(cqe + 8));
        }
        Volatile.Write(ref *_cqHead, tail);
        return tail - head;
    }

    /// <summary>
    /// Whether a receive on an empty socket (recv and recvmsg), and a send to a full one, come back EAGAIN from the
    /// call that submitted them (kernels since 5.x do) rather than being left to wait in the kernel.
    /// </summary>
    private bool AnswersAtOnce()
    {
        int* pair = stackalloc int[2];
        if (SocketPair(1 /* AF_UNIX */, 1 /* SOCK_STREAM */, 0, pair) != 0)
        {
            return false;
        }
        byte* buffer = stackalloc byte[4096];
        bool answered = RunsAtOnce(TryQueueReceive(pair[0], buffer, 1, 0));
        if (answered)
        {
            var vector = new EpollInterop.IoVector { Base = buffer, Length = 1 };
            var message = new EpollInterop.MessageHeader { Vectors = &vector, VectorCount = 1 };
            answered = RunsAtOnce(TryQueueReceiveMessage(pair[0], &message, 0));
        }
        if (answered)
        {
            // Fill the socket (its smallest send buffer, so a few calls do), then one more send must not wait.
            int smallest = 1;
            SetSocketOption(pair[1], 1 /* SOL_SOCKET */, 7 /* SO_SNDBUF */, &smallest, sizeof(int));
            while (SendNow(pair[1], buffer, 4096, SendFlags) > 0)
            {
            }
            answered = RunsAtOnce(TryQueueSend(pair[1], buffer, 4096, 0));
        }
        Close(pair[0]);
        Close(pair[1]);
        return answered;
    }

    /// <summary>Submits the one operation just queued without waiting: whether it came back EAGAIN from that call.</summary>
    private bool RunsAtOnce(bool queued)
    {
        uint count = _queued;
        _queued = 0;
        Volatile.Write(ref *_sqTail, *_sqTail + count);
        var probe = new FirstResult();
        return queued && Syscall(EnterSyscall, _ringFd, 1, 0, 0, 0) == 1 && Harvest(ref probe) == 1 && probe.Result == -EpollInterop.EAgain;
    }

    private static byte* Map(int fd, nuint length, long offset)
    {
        const int ProtReadWrite = 3, MapSharedPopulate = 0x01 | 0x8000;
        void* address = MemoryMap(null, length, ProtReadWrite, MapSharedPopulate, fd, offset);
        return address == (void*)-1 ? null : (byte*)address;
    }

    /// <summary>Takes each completion of a <see cref="Submit"/>.</summary>
    public interface ICompletion
    {
        void Complete(ulong userData, int result);
    }

    private struct FirstResult : ICompletion
    {
        public int Result;

        public void Complete(ulong userData, int result) => Result = result;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SqRingOffsets
    {
        public uint Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Reserved;
        public ulong UserAddress;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CqRingOffsets
    {
        public uint Head, Tail, RingMask, RingEntries, Overflow, Cqes, Flags, Reserved;
        public ulong UserAddress;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Parameters
    {
        public uint SqEntries, CqEntries, Flags, SqThreadCpu, SqThreadIdle, Features, WqFd, Reserved0, Reserved1, Reserved2;
        public SqRingOffsets SqOffsets;
        public CqRingOffsets CqOffsets;
    }

    // The C library's syscall() is variadic; on x64 and arm64 Linux six integer arguments pass as a fixed call would.
    // SetLastError: a failed io_uring_enter decides between a retry and FailFast, so errno must be the call's own.
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a, long b, long c, long d, long e);

    [LibraryImport("libc", EntryPoint = "mmap")]
    private static partial void* MemoryMap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int MemoryUnmap(void* address, nuint length);

    [LibraryImport("libc", EntryPoint = "socketpair")]
    private static partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport("libc", EntryPoint = "setsockopt")]
    private static partial int SetSocketOption(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", EntryPoint = "send")]
    private static partial nint SendNow(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
