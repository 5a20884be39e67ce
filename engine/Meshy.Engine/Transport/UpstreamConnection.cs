using System.IO.Pipelines;
using System.Net.Sockets;
using Meshy.Engine.Upstream;

namespace Meshy.Engine.Transport;

/// <summary>
/// A connected upstream socket, shaped like a downstream connection: pipes for reading (and for
/// writing protocol bytes), a <see cref="SocketSender"/> for zero-copy forwarding, and the socket.
/// The owner disposes it exactly once; <see cref="Abort"/> may be called from any thread before that.
/// </summary>
public sealed class UpstreamConnection : IDisposable
{
    private readonly SocketTransport _connection;
    private int _disposed;

    internal UpstreamConnection(SocketTransport connection, EndpointSnapshot endpoint)
    {
        _connection = connection;
        Endpoint = endpoint;
        Sender = connection.Channel.CreateSender();
    }

    /// <summary>The endpoint this connection goes to.</summary>
    public EndpointSnapshot Endpoint { get; }

    /// <summary>Received bytes arrive on <c>Transport.Input</c>; completing <c>Transport.Output</c> half-closes (FIN).</summary>
    public IDuplexPipe Transport => _connection;

    /// <summary>Sends from the caller's buffers straight to the socket. Never mix with writes to <c>Transport.Output</c>.</summary>
    public SocketSender Sender { get; }

    /// <summary>The connected socket (options, addresses); IO goes through <see cref="Transport"/> and <see cref="Sender"/>.</summary>
    public Socket Socket => _connection.Socket;

    /// <summary>What counts the socket's receive-readiness events (see <see cref="SocketChannel.ReceiveEvents"/>); null when not counted.</summary>
    internal ReadinessSignal? ReceiveReadiness => _connection.Channel.ReceiveReadiness;

    /// <summary>Resets the connection now (RST): the upstream sees an abort, pending IO fails.</summary>
    public void Abort() => _connection.Abort();

    /// <summary>Closes the connection (FIN unless aborted) and returns its buffers.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        try
        {
            _connection.Input.Complete();
            _connection.Output.Complete();
        }
        catch (InvalidOperationException)
        {
            // A read or flush is still pending; Dispose below ends it.
        }
        _connection.Dispose();
        Sender.Dispose();
        Endpoint.State.ConnectionClosed();
    }
}
