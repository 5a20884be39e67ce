using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Meshy.Engine.Tasks;

namespace Meshy.Engine.Transport;

/// <summary>A <see cref="SocketSender"/> on the runtime's socket engine (<see cref="PortableSocketChannel"/>).</summary>
internal sealed class PortableSocketSender(Socket socket) : SocketSender
{
    private GatheredSendOperation? _gathered;

    /// <inheritdoc />
    public override ValueTask SendAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
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

    /// <inheritdoc />
    public override ValueTask SendAsync(ReadOnlyMemory<byte> memory, CancellationToken cancellationToken)
    {
        if (memory.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }
        ValueTask<int> send = socket.SendAsync(memory, SocketFlags.None, cancellationToken);
        if (send.IsCompletedSuccessfully)
        {
            int sent = send.Result;
            CountSent(sent);
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
        CountSent(sent);
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
        CountSent(sent);
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

    /// <inheritdoc />
    public override void Dispose() => _gathered?.Dispose();
}
