using System.Buffers;

namespace Meshy.Engine.Transport;

/// <summary>
/// Sends buffers to a socket without copying them: the segments of a <see cref="ReadOnlySequence{T}"/>
/// go to the kernel as they are, from the memory they were received into; a multi-segment buffer goes
/// in one gathered send. One send at a time per sender (each direction of a proxied connection has its
/// own); made by <see cref="SocketChannel.CreateSender"/>. <see cref="BytesSent"/> feeds the byte metrics.
/// </summary>
public abstract class SocketSender : IDisposable
{
    private long _bytesSent;

    private protected SocketSender()
    {
    }

    /// <summary>
    /// True to send each buffer when it is given, never in the engine turn's batch (see <c>SendBatch</c>), whose
    /// send completes at the end of the turn: for an owner that holds a lock across its send which others take on
    /// the same turn, and would then wait for the turn's end.
    /// </summary>
    public bool SendsAtOnce { get; set; }

    /// <summary>True when a send that fails also ends a read waiting on the socket (the socket is shut down with it).</summary>
    public virtual bool FailureEndsReads => false;

    /// <summary>Bytes handed to the kernel so far.</summary>
    public long BytesSent => Volatile.Read(ref _bytesSent);

    /// <summary>Sends every byte of <paramref name="buffer"/>; completes when the kernel has taken them.</summary>
    public abstract ValueTask SendAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Sends every byte of <paramref name="memory"/>.</summary>
    public abstract ValueTask SendAsync(ReadOnlyMemory<byte> memory, CancellationToken cancellationToken);

    /// <summary>
    /// Sends <paramref name="memory"/> when it is given, never in the engine turn's batch: for a send that may overlap
    /// another on the same socket before its bytes could be ordered behind it (an interim 100 Continue, started by the
    /// request body's first read while the response may be on its way).
    /// </summary>
    public virtual ValueTask SendAtOnceAsync(ReadOnlyMemory<byte> memory, CancellationToken cancellationToken) =>
        SendAsync(memory, cancellationToken);

    /// <summary>Releases what the sender reuses between sends (the socket is owned elsewhere).</summary>
    public virtual void Dispose()
    {
    }

    private protected void CountSent(int sent) => Volatile.Write(ref _bytesSent, _bytesSent + sent);
}
