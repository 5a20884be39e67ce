using System.Buffers;
using System.Net.Sockets;

namespace Meshy.Engine.Transport;

/// <summary>
/// Sends received buffers to a socket without copying them: each segment of a
/// <see cref="ReadOnlySequence{T}"/> goes to <see cref="Socket.SendAsync(ReadOnlyMemory{byte}, SocketFlags, CancellationToken)"/>
/// as it is, from the memory it was received into. <see cref="BytesSent"/> feeds the byte metrics.
/// </summary>
public sealed class SocketSender(Socket socket)
{
    private long _bytesSent;

    /// <summary>Bytes handed to the kernel so far.</summary>
    public long BytesSent => Volatile.Read(ref _bytesSent);

    /// <summary>Sends every byte of <paramref name="buffer"/>; completes when the kernel has taken them.</summary>
    public ValueTask SendAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.IsSingleSegment)
        {
            return SendAsync(buffer.First, cancellationToken);
        }
        return SendSegmentsAsync(buffer, cancellationToken);
    }

    /// <summary>Sends every byte of <paramref name="memory"/>.</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> memory, CancellationToken cancellationToken)
    {
        if (memory.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }
        ValueTask<int> send = socket.SendAsync(memory, SocketFlags.None, cancellationToken);
        if (send.IsCompletedSuccessfully)
        {
            int sent = send.Result;
            _bytesSent += sent;
            return sent == memory.Length ? ValueTask.CompletedTask : SendAsync(memory[sent..], cancellationToken);
        }
        return AwaitSendAsync(send, memory, cancellationToken);
    }

    private async ValueTask AwaitSendAsync(ValueTask<int> pending, ReadOnlyMemory<byte> memory, CancellationToken cancellationToken)
    {
        int sent = await pending.ConfigureAwait(false);
        _bytesSent += sent;
        if (sent < memory.Length)
        {
            await SendAsync(memory[sent..], cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask SendSegmentsAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        foreach (ReadOnlyMemory<byte> segment in buffer)
        {
            await SendAsync(segment, cancellationToken).ConfigureAwait(false);
        }
    }
}
