using System.Net.Sockets;

namespace Meshy.Engine.Transport;

/// <summary>
/// A connected socket and the engine that does its IO: Meshy's own epoll engine on Linux
/// (<see cref="EpollSocketChannel"/>), the runtime's socket engine elsewhere (<see cref="PortableSocketChannel"/>).
/// One reader receives from it (<see cref="SocketTransport.Input"/>); several <see cref="SocketSender"/>s may send on it,
/// one at a time (a send that the kernel takes in parts is not atomic against another sender).
/// </summary>
public abstract class SocketChannel
{
    private int _closed;

    private protected SocketChannel(Socket socket) => Socket = socket;

    /// <summary>The socket (options, addresses). IO goes through the channel, never the socket's own async methods.</summary>
    public Socket Socket { get; }

    /// <summary>
    /// Whether sockets go to Meshy's epoll engine: on Linux x64/arm64, in a process that runs socket
    /// continuations inline (<c>meshy</c> sets <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>), the
    /// mode the engine is built for. Elsewhere, and in-process tests, the runtime's engine serves.
    /// </summary>
    /// <remarks>
    /// NOTE: with continuations dispatched to the thread pool, the full in-process test suite hung about 1
    /// run in 8 on a client reset through the TCP proxy (the upstream never saw the session end); the cause
    /// was not found, and nothing like it was seen with inline continuations (the integration, native and
    /// load runs). The epoll engine's own tests drive it in that mode directly.
    /// </remarks>
    public static bool UsesEpoll { get; } = EpollInterop.IsSupported && EpollEngine.InlineCompletions;

    /// <summary>Takes a connected socket into the engine of this process (<see cref="UsesEpoll"/>).</summary>
    public static SocketChannel Create(Socket socket) =>
        UsesEpoll ? new EpollSocketChannel(socket, EpollEngine.Next()) : new PortableSocketChannel(socket);

    /// <summary>True once <see cref="Close"/> or <see cref="Reset"/> began.</summary>
    internal bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>
    /// How many times the kernel has said the socket is readable (bytes, the end of the stream or an error);
    /// -1 when this engine does not count them. Unchanged since a moment means nothing arrived since then.
    /// </summary>
    internal long ReceiveEvents => ReceiveReadiness?.Events ?? -1;

    /// <summary>What counts <see cref="ReceiveEvents"/>, for callers that keep it to read the count in one step; null when not counted.</summary>
    internal virtual ReadinessSignal? ReceiveReadiness => null;

    /// <summary>A sender for this socket; one send at a time per sender.</summary>
    public abstract SocketSender CreateSender();

    /// <summary>Closes the socket (FIN); pending IO ends with an error. Safe from any thread, more than once.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        try
        {
            // The runtime closes a socket with pending operations abortively unless sending was shut
            // down first.
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already reset, or never connected: nothing orderly left to do.
        }
        Socket.Dispose();
        OnClosed();
    }

    /// <summary>Resets the connection (RST, unsent bytes dropped); pending IO ends with an error.</summary>
    public void Reset()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        SocketReset.Reset(Socket);
        OnClosed();
    }

    /// <summary>The socket is closed: wake whatever still waits on it.</summary>
    private protected virtual void OnClosed()
    {
    }
}
