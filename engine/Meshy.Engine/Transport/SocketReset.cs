using System.Net.Sockets;

namespace Meshy.Engine.Transport;

/// <summary>Abortive close: the peer sees a reset (RST), not an orderly end of stream (FIN).</summary>
internal static class SocketReset
{
    // Read by the setter and never mutated, so one instance serves every socket.
    private static readonly LingerOption Abortive = new(enable: true, seconds: 0);

    /// <summary>
    /// Closes <paramref name="socket"/> with SO_LINGER 0 so the kernel sends RST and drops unsent data.
    /// Pending operations on it complete with <see cref="SocketError.OperationAborted"/>.
    /// </summary>
    public static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = Abortive;
        }
        catch (SocketException)
        {
            // Already shut down or never connected: a plain close is all that is left to do.
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        socket.Dispose();
    }
}
