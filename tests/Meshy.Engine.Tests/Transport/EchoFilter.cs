using System.Buffers;
using System.IO.Pipelines;
using Meshy.Engine.Pipeline;

namespace Meshy.Engine.Tests.Transport;

/// <summary>A terminal filter that sends every received byte back until the peer's FIN.</summary>
internal sealed class EchoFilter : INetworkFilter
{
    private int _started;

    /// <summary>Connections that reached this filter.</summary>
    public int Started => Volatile.Read(ref _started);

    public async ValueTask<FilterStatus> OnConnectionAsync(ConnectionContext connection)
    {
        Interlocked.Increment(ref _started);
        PipeReader input = connection.Transport.Input;
        while (true)
        {
            ReadResult result = await input.ReadAsync();
            if (result.IsCanceled)
            {
                break;
            }
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                await connection.Sender.SendAsync(buffer, CancellationToken.None);
            }
            input.AdvanceTo(buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }
        return FilterStatus.Stop;
    }
}
