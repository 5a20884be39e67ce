using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Tasks;
using Meshy.Engine.Transport;

namespace Meshy.Filters.TcpProxy;

/// <summary>
/// One proxied TCP connection: two copy loops, downstream → upstream (request) and upstream →
/// downstream (response), each reading its side's pipe and sending the received buffers to the other
/// socket as they are.
/// </summary>
/// <remarks>
/// <code>
///   downstream socket ──receive──▶ Input pipe ──SendAsync(same buffers)──▶ upstream socket
///   downstream socket ◀──SendAsync(same buffers)── Input pipe ◀──receive── upstream socket
/// </code>
/// <para>Zero copy: a buffer is sent from the memory it was received into, and given back to the pipe
/// (AdvanceTo) only once the kernel has taken it. That is also the back-pressure: while a send waits on
/// a slow reader nothing is consumed, the pipe fills to its pause threshold, and the socket is no longer
/// read, so the slow side's TCP window closes on the fast side.</para>
/// <para>Half-close: when one side ends its stream (FIN), the other side's output is completed, which
/// shuts down its sending half (FIN); the other direction keeps flowing until it ends too. A reset or
/// error on either side, or <c>Closing</c>, resets both sockets at once.</para>
/// </remarks>
internal sealed class TcpProxySession(ConnectionContext downstream, UpstreamConnection upstream, TcpProxyCounters counters)
{
    private int _aborted;
    private int _responseFlags;

    /// <summary>True when the session ended by a reset, an error or <c>Closing</c> rather than two orderly ends.</summary>
    public bool Aborted => Volatile.Read(ref _aborted) != 0;

    /// <summary><c>DC</c> or <c>UC</c> when one side ended the session abnormally.</summary>
    public ResponseFlags ResponseFlags => (ResponseFlags)Volatile.Read(ref _responseFlags);

    /// <summary>Copies both ways until both directions have ended or the session is aborted.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    public async ValueTask RunAsync()
    {
        CancellationTokenRegistration closing = downstream.Closing.UnsafeRegister(
            static state => ((TcpProxySession)state!).Abort(ResponseFlags.None), this);
        try
        {
            // The response loop runs until its first read waits, then this thread runs the request loop.
            ValueTask responses = CopyAsync(upstream.Transport.Input, downstream.Sender, downstream.Transport.Output, isRequest: false);
            ValueTask requests = CopyAsync(downstream.Transport.Input, upstream.Sender, upstream.Transport.Output, isRequest: true);
            await requests.ConfigureAwait(false);
            await responses.ConfigureAwait(false);
        }
        finally
        {
            await closing.DisposeAsync().ConfigureAwait(false);
        }
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private async ValueTask CopyAsync(PipeReader input, SocketSender destination, PipeWriter destinationOutput, bool isRequest)
    {
        bool reading = true;
        try
        {
            while (true)
            {
                reading = true;
                ReadResult result = await input.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    // Only an abort cancels a read (ConnectionContext.Abort on a socketless transport).
                    Abort(ResponseFlags.None);
                    return;
                }
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    reading = false;
                    await destination.SendAsync(buffer, CancellationToken.None).ConfigureAwait(false);
                    Count(isRequest, buffer.Length);
                }
                input.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception)
        {
            // A reset (IOException, SocketException) or the abort of the other loop. The
            // side at fault: the one being read from, or the one being sent to.
            bool downstreamFailed = isRequest == reading;
            Abort(downstreamFailed ? ResponseFlags.DownstreamConnectionTermination : ResponseFlags.UpstreamConnectionTermination);
            return;
        }
        // Orderly end of this direction: pass the FIN on and keep the other direction open.
        destinationOutput.Complete();
    }

    private void Count(bool isRequest, long bytes)
    {
        if (isRequest)
        {
            counters.AddReceived(bytes);
        }
        else
        {
            counters.AddSent(bytes);
        }
    }

    private void Abort(ResponseFlags cause)
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }
        Volatile.Write(ref _responseFlags, (int)cause);
        // Reset both: the peers learn at once, and both loops' pending reads and sends fail.
        downstream.Abort();
        upstream.Abort();
    }
}
