using System.Net;
using System.Net.Sockets;

namespace Meshy.Bench.Load.Tools;

/// <summary>
/// Connects and waits for <see cref="TcpSinkCommand.Greeting"/>: a proxy may accept a connection
/// before (or without) reaching its upstream, so only the greeting proves the whole path works.
/// </summary>
internal static class TcpGreeting
{
    public static async Task<Socket> ConnectAsync(IPEndPoint target, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(target, deadline.Token);
                byte[] greeting = new byte[1];
                int read = await socket.ReceiveAsync(greeting, SocketFlags.None, deadline.Token);
                if (read != 1 || greeting[0] != TcpSinkCommand.Greeting)
                {
                    throw new IOException($"connected to {target} but the connection closed before the sink's greeting arrived");
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no greeting from the sink through {target} within {timeout.TotalSeconds:0.#}s");
            }
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
