using System.Net;
using System.Net.Sockets;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;

namespace Meshy.Engine.Transport;

/// <summary>
/// Serves one accepted connection: wraps the socket in pipes, runs the listener's network filters in
/// order until one stops the chain, then releases everything. Never throws: one failing connection
/// must not disturb the listener or any other connection.
/// </summary>
internal sealed class ConnectionHandler(
    SocketListener listener,
    Socket socket,
    ProxySnapshot snapshot,
    ListenerSnapshot listenerSnapshot,
    long id) : IThreadPoolWorkItem
{
    public void Execute() => _ = RunAsync();

    private async Task RunAsync()
    {
        SocketTransport? connection = null;
        SocketSender? sender = null;
        CancellationTokenRegistration closing = default;
        try
        {
            socket.NoDelay = true;
            var local = (IPEndPoint)socket.LocalEndPoint!;
            IPEndPoint? originalDestination = null;
            // #8: no original destination, or the listener itself, would make Meshy connect to itself.
            if (listenerSnapshot.OriginalDestination
                && (originalDestination = OriginalDestination.Resolve(socket, local, listenerSnapshot, listener.Logger, id)) is null)
            {
                return;
            }
            connection = listener.Pipes.CreateConnection(socket);
            sender = connection.Channel.CreateSender();
            var context = new ConnectionContext
            {
                Id = id,
                Snapshot = snapshot,
                Listener = listenerSnapshot,
                Transport = connection,
                Sender = sender,
                Socket = socket,
                RemoteEndPoint = (IPEndPoint)socket.RemoteEndPoint!,
                LocalEndPoint = local,
                OriginalDestination = originalDestination,
                Draining = listener.DrainingToken,
                Closing = listener.ClosingToken,
            };
            // Closing is enforced here, not left to filters: past the drain timeout the socket is reset,
            // which fails whatever IO a filter has pending.
            closing = context.Closing.UnsafeRegister(static state => ((ConnectionContext)state!).Abort(), context);
            foreach (INetworkFilter filter in listenerSnapshot.NetworkFilters)
            {
                FilterStatus status = await filter.OnConnectionAsync(context).ConfigureAwait(false);
                if (status != FilterStatus.Continue)
                {
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            listener.LogConnectionFailed(listener.Name, id, ex);
        }
        finally
        {
            await closing.DisposeAsync().ConfigureAwait(false);
            Close(connection);
            sender?.Dispose();
            listener.OnConnectionClosed();
        }
    }

    private void Close(SocketTransport? connection)
    {
        if (connection is null)
        {
            socket.Dispose();
            return;
        }
        // Completing both pipes returns their buffers to the pool; completing Output lets the send
        // loop shut down sending (FIN) before Dispose closes the socket.
        try
        {
            connection.Input.Complete();
            connection.Output.Complete();
        }
        catch (InvalidOperationException)
        {
            // A filter left a read or flush pending; Dispose below ends it.
        }
        connection.Dispose();
    }
}
