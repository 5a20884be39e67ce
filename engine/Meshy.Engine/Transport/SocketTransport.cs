using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace Meshy.Engine.Transport;

/// <summary>
/// Pipes over a connected socket: a receive loop fills <see cref="Input"/>, a send loop drains
/// <see cref="Output"/>. Completing <see cref="Output"/> half-closes the socket (FIN) while
/// <see cref="Input"/> keeps receiving; the end of the peer's stream completes <see cref="Input"/>,
/// and a socket error completes it with an <see cref="IOException"/>.
/// </summary>
/// <remarks>
/// <para>Between messages the receive loop waits with a zero-length read, so an idle connection holds no
/// buffer. It skips that wait only when the last receive filled its whole buffer (more is likely queued).
/// Nothing asks the kernel how much is queued first: that was one <c>ioctl(FIONREAD)</c> per message,
/// a quarter of a proxied request's system calls, and a peek answers the same question when there is
/// data.</para>
/// <para>Completions continue inline (see <see cref="PipeOptionsFactory"/>): a received chunk runs the
/// reader's code on the thread that completed the receive.</para>
/// </remarks>
public sealed class SocketTransport : IDuplexPipe, IDisposable
{
    private readonly Pipe _receive;
    private readonly Pipe _send;
    private readonly SocketSender _sender;
    private int _disposed;

    /// <summary>Takes ownership of <paramref name="socket"/> and starts both loops.</summary>
    public SocketTransport(Socket socket, PipeOptions receive, PipeOptions send)
    {
        Socket = socket;
        _receive = new Pipe(receive);
        _send = new Pipe(send);
        _sender = new SocketSender(socket);
        ReceiveLoop = ReceiveAsync();
        SendLoop = SendAsync();
    }

    /// <summary>The connected socket (options, addresses).</summary>
    public Socket Socket { get; }

    /// <summary>Bytes received from the socket.</summary>
    public PipeReader Input => _receive.Reader;

    /// <summary>Bytes to send to the socket; completing it sends FIN once everything written went out.</summary>
    public PipeWriter Output => _send.Writer;

    /// <summary>Ends when nothing more will be received: end of stream, an error, or <see cref="Dispose"/>.</summary>
    internal Task ReceiveLoop { get; }

    /// <summary>Ends when <see cref="Output"/> is completed and drained, or sending failed.</summary>
    internal Task SendLoop { get; }

    private async Task ReceiveAsync()
    {
        PipeWriter writer = _receive.Writer;
        Exception? error = null;
        bool lastReceiveFilledBuffer = false;
        try
        {
            while (true)
            {
                if (!lastReceiveFilledBuffer)
                {
                    await Socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                }
                Memory<byte> buffer = writer.GetMemory(1);
                int received = await Socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    break;
                }
                writer.Advance(received);
                lastReceiveFilledBuffer = received == buffer.Length;
                FlushResult flushed = await writer.FlushAsync().ConfigureAwait(false);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            // A reset or closed socket; or the pipe itself failed (a reader misused it): readers are told, never a crash.
            error = ex is SocketException or ObjectDisposedException ? ToIOException(ex) : ex;
        }
        writer.Complete(error);
    }

    private async Task SendAsync()
    {
        PipeReader reader = _send.Reader;
        Exception? error = null;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    await _sender.SendAsync(buffer, CancellationToken.None).ConfigureAwait(false);
                }
                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
            Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex)
        {
            // A reset or closed socket, or Output completed with an error: nothing more goes out.
            error = ex is SocketException or ObjectDisposedException ? ToIOException(ex) : ex;
        }
        reader.Complete(error);
        _sender.Dispose();
    }

    private IOException ToIOException(Exception ex) =>
        Volatile.Read(ref _disposed) != 0
            ? new IOException("the connection was closed locally", ex)
            : ex is SocketException { SocketErrorCode: SocketError.ConnectionReset }
                ? new IOException("the connection was reset by the peer", ex)
                : new IOException(ex.Message, ex);

    /// <summary>Closes the socket with FIN (RST only after <see cref="SocketReset"/>); pending IO ends with an error.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        try
        {
            // The runtime closes a socket with pending operations abortively unless sending was shut
            // down first, and the receive loop always has one pending.
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already reset, or closed by SocketReset: nothing orderly left to do.
        }
        Socket.Dispose();
    }
}
