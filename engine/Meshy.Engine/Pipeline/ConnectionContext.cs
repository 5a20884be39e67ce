using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;

namespace Meshy.Engine.Pipeline;

/// <summary>
/// One accepted downstream connection: its pipes, its socket, the snapshot and listener it was
/// accepted on, and the signals of a drain. Per-connection state of network filters lives here.
/// </summary>
public sealed class ConnectionContext
{
    /// <summary>Process-unique connection id (log lines, access log).</summary>
    public required long Id { get; init; }

    /// <summary>The snapshot current when the connection was accepted; the connection finishes on it.</summary>
    public required ProxySnapshot Snapshot { get; init; }

    /// <summary>The listener (of <see cref="Snapshot"/>) that accepted the connection.</summary>
    public required ListenerSnapshot Listener { get; init; }

    /// <summary>Received bytes arrive on <c>Transport.Input</c>; see <see cref="Sender"/> for sending.</summary>
    public required IDuplexPipe Transport { get; init; }

    /// <summary>
    /// Sends bytes straight from the caller's buffers to the socket (zero-copy forwarding). Never mix
    /// with writes to <c>Transport.Output</c>; completing <c>Transport.Output</c> half-closes the socket.
    /// </summary>
    public required SocketSender Sender { get; init; }

    /// <summary>The peer's address.</summary>
    public required IPEndPoint RemoteEndPoint { get; init; }

    /// <summary>The local address the connection arrived on.</summary>
    public required IPEndPoint LocalEndPoint { get; init; }

    /// <summary>The destination before an iptables REDIRECT, when the listener asks for it and one exists.</summary>
    public IPEndPoint? OriginalDestination { get; init; }

    /// <summary>Cancelled when the listener starts draining: finish the current work, take no more.</summary>
    public required CancellationToken Draining { get; init; }

    /// <summary>Cancelled when the connection must end now (drain timeout passed, or process exit).</summary>
    public required CancellationToken Closing { get; init; }

    /// <summary>Envoy response flags of the connection (TCP sessions: <c>UF</c>, <c>UH</c>, <c>UC</c>, <c>DC</c>), for the access log.</summary>
    public ResponseFlags ResponseFlags { get; set; }

    /// <summary>The cluster the terminal filter proxied to, when it chose one (access log <c>cluster</c>).</summary>
    public string? UpstreamCluster { get; set; }

    /// <summary>The endpoint the terminal filter connected to, when it did (access log <c>endpoint</c>).</summary>
    public EndpointSnapshot? UpstreamEndpoint { get; set; }

    /// <summary>Bytes read from the downstream and handled, as counted by the terminal filter; bytes sent are <c>Sender.BytesSent</c>.</summary>
    public long BytesReceived { get; set; }

    /// <summary>
    /// The accepted socket, for socket options and <see cref="Abort"/>; null when the transport is not
    /// a socket (tests). Never read or write it directly: use <see cref="Transport"/> and <see cref="Sender"/>.
    /// </summary>
    public Socket? Socket { get; init; }

    /// <summary>
    /// Ends the connection now: the socket is reset (the peer sees RST, unsent bytes are dropped) and
    /// pending reads on <c>Transport.Input</c> end with an error. Safe to call from any thread, more than once.
    /// </summary>
    public void Abort()
    {
        if (Transport is SocketTransport transport)
        {
            transport.Abort();
            return;
        }
        if (Socket is { } socket)
        {
            SocketReset.Reset(socket);
            return;
        }
        Transport.Input.CancelPendingRead();
    }
}
