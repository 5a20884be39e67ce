using System.Text;
using Meshy.Engine.Pipeline;

namespace Meshy.Engine.Tests.Transport;

/// <summary>Sends a fixed text to the client, then answers <paramref name="status"/>; throws instead while <paramref name="throwFirst"/> connections remain.</summary>
internal sealed class ScriptedFilter(string text, FilterStatus status, int throwFirst = 0) : INetworkFilter
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public async ValueTask<FilterStatus> OnConnectionAsync(ConnectionContext connection)
    {
        if (Interlocked.Increment(ref _calls) <= throwFirst)
        {
            throw new InvalidOperationException("scripted failure");
        }
        await connection.Sender.SendAsync(Encoding.ASCII.GetBytes(text), CancellationToken.None);
        return status;
    }
}
