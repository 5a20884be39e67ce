using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Meshy.Engine.Tasks;
using Meshy.Engine.Upstream;

namespace Meshy.Engine.Transport;

/// <summary>
/// Opens upstream connections: one socket per call, NoDelay, the cluster's connect timeout, and the
/// same pipe options as downstream. Failures are values (<see cref="ConnectFailure"/>), not
/// exceptions, because a dead endpoint makes them as frequent as connects.
/// </summary>
public sealed class UpstreamConnector
{
    // Enough for a burst of concurrent connects; beyond it operations are created and dropped.
    private const int MaxPooledOperations = 256;

    private readonly PipeOptionsFactory _pipes;
    private readonly ConcurrentQueue<ConnectOperation> _operations = new();
    private int _pooledOperations;

    /// <summary>Creates a connector whose connections use <paramref name="pipes"/>.</summary>
    public UpstreamConnector(PipeOptionsFactory pipes)
    {
        _pipes = pipes;
    }

    /// <summary>
    /// Connects to <paramref name="endpoint"/> (an <see cref="IPEndPoint"/>, or a <see cref="DnsEndPoint"/>
    /// resolved now). Gives up after <paramref name="timeout"/> (<see cref="ConnectFailure.Timeout"/>) or when
    /// <paramref name="cancellationToken"/> is cancelled (<see cref="ConnectFailure.Canceled"/>). On success
    /// <see cref="EndpointState.ConnectionOpened"/> is counted; disposing the connection counts it closed.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public async ValueTask<UpstreamConnectResult> ConnectAsync(EndpointSnapshot endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return UpstreamConnectResult.Failed(ConnectFailure.Canceled, SocketError.OperationAborted);
        }
        Socket socket;
        try
        {
            socket = CreateSocket(endpoint.EndPoint);
        }
        catch (SocketException ex)
        {
            // The address family is not supported here (an IPv6 endpoint on an IPv4-only host).
            return UpstreamConnectResult.Failed(ConnectFailure.Failed, ex.SocketErrorCode);
        }
        ConnectFailure failure;
        SocketError error;
        try
        {
            ConnectOperation operation = RentOperation();
            (failure, error) = await operation
                .ConnectAsync(socket, endpoint.EndPoint, timeout, cancellationToken)
                .ConfigureAwait(false);
            ReturnOperation(operation);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        if (failure != ConnectFailure.None)
        {
            socket.Dispose();
            return UpstreamConnectResult.Failed(failure, error);
        }
        try
        {
            socket.NoDelay = true;
        }
        catch (SocketException ex)
        {
            // Reset between the handshake and now.
            socket.Dispose();
            return UpstreamConnectResult.Failed(ConnectFailure.Failed, ex.SocketErrorCode);
        }
        endpoint.State.ConnectionOpened();
        return UpstreamConnectResult.Connected(new UpstreamConnection(_pipes.CreateConnection(socket), endpoint));
    }

    private static Socket CreateSocket(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip => new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp),
        // Dual-mode IPv6 where available, so a name may resolve to either family.
        _ => new Socket(SocketType.Stream, ProtocolType.Tcp),
    };

    private ConnectOperation RentOperation()
    {
        if (_operations.TryDequeue(out ConnectOperation? operation))
        {
            Interlocked.Decrement(ref _pooledOperations);
            return operation;
        }
        return new ConnectOperation();
    }

    private void ReturnOperation(ConnectOperation operation)
    {
        if (Interlocked.Increment(ref _pooledOperations) <= MaxPooledOperations)
        {
            _operations.Enqueue(operation);
            return;
        }
        Interlocked.Decrement(ref _pooledOperations);
        operation.Dispose();
    }
}
