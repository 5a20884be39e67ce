using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Meshy.Engine.Tasks;

namespace Meshy.Engine.Transport;

/// <summary>
/// Sends received buffers to a socket without copying them: the segments of a
/// <see cref="ReadOnlySequence{T}"/> go to the kernel as they are, from the memory they were
/// received into; a multi-segment buffer goes in one gathered send. One send at a time per
/// sender (each direction of a proxied connection has its own). <see cref="BytesSent"/> feeds
/// the byte metrics.
/// </summary>
public sealed class SocketSender(Socket socket) : IDisposable
{
    private GatheredSendOperation? _gathered;
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
        // Event-args sends cannot observe a token; a cancellable send goes segment by segment.
        if (!cancellationToken.CanBeCanceled)
        {
            _gathered ??= new GatheredSendOperation();
            if (_gathered.TryPrepare(buffer))
            {
                return SendGatheredAsync(buffer);
            }
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

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private async ValueTask SendGatheredAsync(ReadOnlySequence<byte> buffer)
    {
        int sent;
        try
        {
            sent = await _gathered!.SendAsync(socket).ConfigureAwait(false);
        }
        finally
        {
            _gathered!.Release();
        }
        _bytesSent += sent;
        if (sent < buffer.Length)
        {
            // The kernel took part of it (rare for stream sockets): send the rest the plain way.
            await SendSegmentsAsync(buffer.Slice(sent), CancellationToken.None).ConfigureAwait(false);
        }
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private async ValueTask AwaitSendAsync(ValueTask<int> pending, ReadOnlyMemory<byte> memory, CancellationToken cancellationToken)
    {
        int sent = await pending.ConfigureAwait(false);
        _bytesSent += sent;
        if (sent < memory.Length)
        {
            await SendAsync(memory[sent..], cancellationToken).ConfigureAwait(false);
        }
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private async ValueTask SendSegmentsAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        foreach (ReadOnlyMemory<byte> segment in buffer)
        {
            await SendAsync(segment, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Releases the reusable send operation (the socket is owned elsewhere).</summary>
    public void Dispose() => _gathered?.Dispose();
}
