using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Meshy.Engine.Tasks;

namespace Meshy.Engine.Transport;

/// <summary>
/// A socket served by the runtime's engine (platforms without epoll). Between messages the receive loop
/// waits with a zero-length read, so an idle connection holds no buffer; it skips that wait when the last
/// receive filled its whole buffer (more is likely queued), and confirms a wake-up before it takes a buffer
/// (<see cref="AwaitReadableAsync"/>).
/// </summary>
internal sealed class PortableSocketChannel(Socket socket) : SocketChannel(socket)
{
    private bool _lastReceiveFilledBuffer;

    public override SocketSender CreateSender() => new PortableSocketSender(Socket);

    /// <summary>Completes when a receive is likely to find bytes (or the end of the stream); holds no buffer while it waits.</summary>
    internal ValueTask WaitToReceiveAsync()
    {
        if (_lastReceiveFilledBuffer)
        {
            return ValueTask.CompletedTask;
        }
        ValueTask<int> wait = Socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
        if (wait.IsCompletedSuccessfully)
        {
            // Taking the result hands the socket's cached receive operation back for the next receive.
            _ = wait.Result;
            return ValueTask.CompletedTask;
        }
        return AwaitReadableAsync(Socket, wait);
    }

    /// <summary>Receives into <paramref name="buffer"/>: the count, 0 at the end of the stream; a <see cref="SocketException"/> on error.</summary>
    internal ValueTask<int> ReceiveAsync(Memory<byte> buffer)
    {
        ValueTask<int> receive = Socket.ReceiveAsync(buffer, SocketFlags.None);
        if (receive.IsCompletedSuccessfully)
        {
            return new ValueTask<int>(Received(receive.Result, buffer.Length));
        }
        return AwaitReceiveAsync(receive, buffer.Length);
    }

    /// <remarks>
    /// The runtime completes a zero-byte receive that had to wait on the socket's next readiness event without
    /// looking at the socket (dotnet/corefx#28098), and an edge-triggered event can be stale: the bytes it
    /// announced may have been received already. The receive after such a wake-up would hold its buffer until
    /// the peer next sends, so a wake-up is confirmed by a zero-byte receive that completes at once (the
    /// runtime's one-byte peek finds bytes, the end or an error); one that has to wait is waited on again.
    /// </remarks>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private static async ValueTask AwaitReadableAsync(Socket socket, ValueTask<int> wait)
    {
        do
        {
            await wait.ConfigureAwait(false);
            wait = socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
        }
        while (!wait.IsCompleted);
        await wait.ConfigureAwait(false); // takes the result (hands the socket's receive operation back), throws on error
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<int> AwaitReceiveAsync(ValueTask<int> receive, int length)
    {
        return Received(await receive.ConfigureAwait(false), length);
    }

    private int Received(int received, int length)
    {
        if (received == 0 && IsClosed)
        {
            // Our own shutdown, not the peer's end of stream: the receive was cut short locally.
            throw new ObjectDisposedException(nameof(Socket), "the socket was closed locally");
        }
        _lastReceiveFilledBuffer = received == length;
        return received;
    }
}
