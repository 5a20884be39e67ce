using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace Meshy.Engine.Transport;

/// <summary>
/// Pipes over a connected socket: <see cref="Input"/> is read from it (by its own <see cref="SocketReader"/> in
/// the epoll engine, through a receive loop and a pipe in the runtime's), a send loop drains <see cref="Output"/>. Completing <see cref="Output"/> half-closes the socket (FIN) while
/// <see cref="Input"/> keeps receiving; the end of the peer's stream completes <see cref="Input"/>,
/// and a socket error completes it with an <see cref="IOException"/>.
/// </summary>
/// <remarks>
/// <para>Between messages the reader (or receive loop) waits without a buffer (<see cref="SocketReader"/>, <see cref="PortableSocketChannel.WaitToReceiveAsync"/>),
/// so an idle connection holds none.</para>
/// <para>Completions continue inline (see <see cref="PipeOptionsFactory"/>): a received chunk runs the
/// reader's code on the thread that completed the receive.</para>
/// </remarks>
public sealed class SocketTransport : IDuplexPipe, IDisposable
{
    private readonly Pipe? _receive;
    private readonly SocketReader? _reader;
    private readonly Pipe _send;
    private readonly SocketSender _sender;
    private int _disposed;

    /// <summary>Takes ownership of <paramref name="channel"/> and starts both loops.</summary>
    public SocketTransport(SocketChannel channel, PipeOptions receive, PipeOptions send)
    {
        Channel = channel;
        if (channel is EpollSocketChannel epoll)
        {
            _reader = new SocketReader(epoll, receive.Pool, ToIOException);
            ReceiveLoop = Task.CompletedTask;
        }
        else
        {
            _receive = new Pipe(receive);
            ReceiveLoop = ReceiveAsync((PortableSocketChannel)channel);
        }
        _send = new Pipe(send);
        _sender = channel.CreateSender();
        SendLoop = SendAsync();
    }

    /// <summary>The socket's IO engine; make senders with it.</summary>
    public SocketChannel Channel { get; }

    /// <summary>The connected socket (options, addresses).</summary>
    public Socket Socket => Channel.Socket;

    /// <summary>Bytes received from the socket.</summary>
    public PipeReader Input => _reader ?? _receive!.Reader;

    /// <summary>Bytes to send to the socket; completing it sends FIN once everything written went out.</summary>
    public PipeWriter Output => _send.Writer;

    /// <summary>
    /// Ends when nothing more will be received: end of stream, an error, or <see cref="Dispose"/>. Only the
    /// runtime's engine has a receive loop; in the epoll engine the reader receives (<see cref="SocketReader"/>)
    /// and this is complete from the start.
    /// </summary>
    internal Task ReceiveLoop { get; }

    /// <summary>Ends when <see cref="Output"/> is completed and drained, or sending failed.</summary>
    internal Task SendLoop { get; }

    private async Task ReceiveAsync(PortableSocketChannel channel)
    {
        PipeWriter writer = _receive!.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                await channel.WaitToReceiveAsync().ConfigureAwait(false);
                Memory<byte> buffer = writer.GetMemory(1);
                int received = await channel.ReceiveAsync(buffer).ConfigureAwait(false);
                if (received == 0)
                {
                    break;
                }
                writer.Advance(received);
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

    /// <summary>Resets the connection now (RST): the peer sees an abort, pending IO fails. Any thread.</summary>
    public void Abort() => Channel.Reset();

    /// <summary>Closes the socket with FIN (RST after <see cref="Abort"/>); pending IO ends with an error.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Channel.Close();
    }
}
