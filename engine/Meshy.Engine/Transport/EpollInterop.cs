using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Meshy.Engine.Transport;

/// <summary>The few libc calls Meshy's own socket engine makes (Linux, x64 and arm64).</summary>
internal static unsafe partial class EpollInterop
{
    public const uint EpollIn = 0x001;
    public const uint EpollPri = 0x002;
    public const uint EpollOut = 0x004;
    public const uint EpollErr = 0x008;
    public const uint EpollHup = 0x010;
    public const uint EpollRdHup = 0x2000;
    public const uint EpollEdgeTriggered = 1u << 31;

    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;
    public const int EpollCloExec = 0x80000;

    public const int MsgNoSignal = 0x4000;

    public const int EIntr = 4;
    public const int EAgain = 11;
    public const int EInProgress = 115;

    /// <summary>
    /// Bytes per <c>struct epoll_event</c>: the kernel packs it on x86-64 (events at 0, data at 4, 12 in all);
    /// elsewhere it is naturally aligned (data at 8, 16 in all).
    /// </summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    public static readonly int EventDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    /// <summary>Where this engine runs: Linux on the two architectures whose <c>epoll_event</c> layout it knows.</summary>
    public static bool IsSupported =>
        OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollControl(int epoll, int operation, SafeSocketHandle socket, byte* epollEvent);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epoll, byte* events, int maxEvents, int timeout);

    // recv, send and sendmsg run several times per request: on failure (-1) the caller reads errno itself with
    // Marshal.GetLastSystemError(), right after the call as the generated code would. SetLastError = true would
    // clear errno before every call and read it after, two more native calls each time, for the rare failure.

    [LibraryImport("libc", EntryPoint = "recv")]
    public static partial nint Receive(SafeSocketHandle socket, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "send")]
    public static partial nint Send(SafeSocketHandle socket, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "sendmsg")]
    public static partial nint SendMessage(SafeSocketHandle socket, MessageHeader* message, int flags);

    /// <summary>The <see cref="SocketError"/> the runtime would report for <paramref name="errno"/>.</summary>
    public static SocketError ToSocketError(int errno) => errno switch
    {
        EAgain => SocketError.WouldBlock,
        EInProgress => SocketError.InProgress,
        9 => SocketError.OperationAborted,         // EBADF: closed under us
        32 => SocketError.Shutdown,                // EPIPE
        101 => SocketError.NetworkUnreachable,
        103 => SocketError.ConnectionAborted,
        104 => SocketError.ConnectionReset,
        107 => SocketError.NotConnected,
        108 => SocketError.Shutdown,               // ESHUTDOWN
        110 => SocketError.TimedOut,
        111 => SocketError.ConnectionRefused,
        113 => SocketError.HostUnreachable,
        _ => SocketError.SocketError,
    };
}
