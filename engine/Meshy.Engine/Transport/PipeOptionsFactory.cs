using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace Meshy.Engine.Transport;

/// <summary>
/// The one place that decides how socket pipes are built, for accepted (downstream) and connected
/// (upstream) sockets alike, so that both ends of a proxied connection buffer the same way.
/// </summary>
/// <remarks>
/// <para>Memory: <see cref="BlockMemoryPool"/>, pinned blocks of the segment size that are reused forever,
/// so a busy proxy allocates nothing per receive (the shared array pool keeps too few arrays per core
/// and spills into fresh allocations under load); blocks are array-backed, as the portable engine's
/// gathered send needs (<see cref="GatheredSendOperation"/>: the socket's buffer list takes arrays), and
/// pinned, so the epoll engine hands their addresses to <c>sendmsg</c> as they are.</para>
/// <para>Segments: 16 KiB at least. A receive fills at most one segment, so bigger segments mean fewer
/// syscalls per megabyte; idle connections hold none because the reader (or receive loop) waits for the kernel to
/// have data before it takes a buffer (<see cref="SocketReader"/>, <see cref="PortableSocketChannel.WaitToReceiveAsync"/>).</para>
/// <para>Back-pressure: in the epoll engine a socket is read only when its reader asks for more than it has
/// (<see cref="SocketReader"/>), so what a connection buffers is what its code chose to keep. In the
/// runtime's engine, a receive pipe holding <see cref="PauseWriterThreshold"/> bytes stops reading the
/// socket until it drains to <see cref="ResumeWriterThreshold"/>. 1 MiB is Envoy's default
/// <c>per_connection_buffer_limit_bytes</c>: it bounds what a connection can pin per direction while
/// leaving room for a send to the other side to overlap the next receive.</para>
/// <para>Schedulers: inline everywhere, as Kestrel does with <c>UnsafePreferInlineScheduling</c>. A socket
/// completion already runs on a socket engine's (or the thread pool's) thread, so scheduling again would only add a hop:
/// inline, one received chunk goes receive → pipe → forwarding loop → send to the other socket on the
/// thread that completed the receive. Code reading these pipes must therefore not block.</para>
/// </remarks>
public sealed class PipeOptionsFactory
{
    /// <summary>Default minimum segment size: 16 KiB.</summary>
    public const int DefaultMinimumSegmentSize = 16 * 1024;

    /// <summary>Default pause threshold per pipe: 1 MiB.</summary>
    public const long DefaultPauseWriterThreshold = 1024 * 1024;

    /// <summary>Default resume threshold per pipe: 512 KiB.</summary>
    public const long DefaultResumeWriterThreshold = 512 * 1024;

    /// <summary>The options every production socket uses.</summary>
    public static PipeOptionsFactory Default { get; } = new();

    /// <summary>Builds the options; the parameters exist for benchmarks and tests.</summary>
    public PipeOptionsFactory(
        int minimumSegmentSize = DefaultMinimumSegmentSize,
        long pauseWriterThreshold = DefaultPauseWriterThreshold,
        long resumeWriterThreshold = DefaultResumeWriterThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumSegmentSize, 256);
        ArgumentOutOfRangeException.ThrowIfLessThan(pauseWriterThreshold, resumeWriterThreshold);
        PauseWriterThreshold = pauseWriterThreshold;
        BlockMemoryPool pool = minimumSegmentSize == BlockMemoryPool.DefaultBlockSize
            ? BlockMemoryPool.Default
            : new BlockMemoryPool(minimumSegmentSize);
        Pool = pool;
        ResumeWriterThreshold = resumeWriterThreshold;
        Receive = new PipeOptions(
            pool: pool,
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: pauseWriterThreshold,
            resumeWriterThreshold: resumeWriterThreshold,
            minimumSegmentSize: minimumSegmentSize,
            useSynchronizationContext: false);
        // The send pipe carries what application code writes to Transport.Output (HTTP responses);
        // forwarded bytes bypass it through SocketSender. Same bounds, same reasons.
        Send = new PipeOptions(
            pool: pool,
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: pauseWriterThreshold,
            resumeWriterThreshold: resumeWriterThreshold,
            minimumSegmentSize: minimumSegmentSize,
            useSynchronizationContext: false);
    }

    /// <summary>The pool both pipes rent their segments from.</summary>
    public BlockMemoryPool Pool { get; }

    /// <summary>
    /// Options of the pipe that carries bytes received from the socket (<c>Transport.Input</c>) in the runtime's
    /// engine; the epoll engine's reader takes its pool only.
    /// </summary>
    public PipeOptions Receive { get; }

    /// <summary>Options of the pipe that carries bytes written to <c>Transport.Output</c> to the socket.</summary>
    public PipeOptions Send { get; }

    /// <summary>Bytes a receive pipe may hold before the socket is no longer read.</summary>
    public long PauseWriterThreshold { get; }

    /// <summary>Bytes a paused receive pipe must drain to before the socket is read again.</summary>
    public long ResumeWriterThreshold { get; }

    /// <summary>Wraps a connected socket in pipes; the transport owns the socket from here on.</summary>
    public SocketTransport CreateConnection(Socket socket) => CreateConnection(SocketChannel.Create(socket));

    /// <summary>Wraps a connected channel in pipes; the transport owns it from here on.</summary>
    public SocketTransport CreateConnection(SocketChannel channel) => new(channel, Receive, Send);
}
