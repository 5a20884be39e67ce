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
        (ConnectFailure failure, SocketError error, SocketChannel? channel) = SocketChannel.UsesEpoll
            ? await ConnectEpollAsync(endpoint.EndPoint, timeout, cancellationToken).ConfigureAwait(false)
            : await ConnectPortableAsync(endpoint.EndPoint, timeout, cancellationToken).ConfigureAwait(false);
        if (failure != ConnectFailure.None)
        {
            return UpstreamConnectResult.Failed(failure, error);
        }
        try
        {
            channel!.Socket.NoDelay = true;
        }
        catch (SocketException ex)
        {
            // Reset between the handshake and now.
            channel!.Close();
            return UpstreamConnectResult.Failed(ConnectFailure.Failed, ex.SocketErrorCode);
        }
        endpoint.State.ConnectionOpened();
        return UpstreamConnectResult.Connected(new UpstreamConnection(_pipes.CreateConnection(channel), endpoint));
    }

    /// <summary>
    /// Connects in Meshy's epoll engine: a name is resolved first and its addresses tried in order, all
    /// within <paramref name="timeout"/>.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<(ConnectFailure, SocketError, SocketChannel?)> ConnectEpollAsync(
        EndPoint endPoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using CancellationTokenSource? deadline = timeout > TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : null;
        deadline?.CancelAfter(timeout);
        CancellationToken token = deadline?.Token ?? cancellationToken;
        SocketError error = SocketError.HostNotFound;
        try
        {
            IPEndPoint[] candidates = endPoint is IPEndPoint ip ? [ip] : await ResolveAsync((DnsEndPoint)endPoint, token).ConfigureAwait(false);
            foreach (IPEndPoint candidate in candidates)
            {
                Socket socket;
                try
                {
                    socket = new Socket(candidate.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                }
                catch (SocketException ex)
                {
                    // The address family is not supported here (an IPv6 endpoint on an IPv4-only host).
                    error = ex.SocketErrorCode;
                    continue;
                }
                (error, EpollSocketChannel? channel) = await EpollSocketChannel.ConnectAsync(socket, candidate, token).ConfigureAwait(false);
                if (channel is not null)
                {
                    return (ConnectFailure.None, SocketError.Success, channel);
                }
                token.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException)
        {
            return cancellationToken.IsCancellationRequested
                ? (ConnectFailure.Canceled, SocketError.OperationAborted, null)
                : (ConnectFailure.Timeout, SocketError.TimedOut, null);
        }
        catch (SocketException ex)
        {
            // The name did not resolve.
            error = ex.SocketErrorCode;
        }
        (ConnectFailure failure, SocketError classified) = ConnectOperation.Classify(error, ConnectOperation.NotAborted);
        return (failure, classified, null);
    }

    private static async Task<IPEndPoint[]> ResolveAsync(DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        IPAddress[] addresses = await Dns.GetHostAddressesAsync(endPoint.Host, endPoint.AddressFamily, cancellationToken).ConfigureAwait(false);
        return Array.ConvertAll(addresses, address => new IPEndPoint(address, endPoint.Port));
    }

    /// <summary>Connects on the runtime's socket engine (no epoll here).</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<(ConnectFailure, SocketError, SocketChannel?)> ConnectPortableAsync(
        EndPoint endPoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Socket socket;
        try
        {
            socket = CreateSocket(endPoint);
        }
        catch (SocketException ex)
        {
            // The address family is not supported here (an IPv6 endpoint on an IPv4-only host).
            return (ConnectFailure.Failed, ex.SocketErrorCode, null);
        }
        ConnectFailure failure;
        SocketError error;
        try
        {
            ConnectOperation operation = RentOperation();
            (failure, error) = await operation
                .ConnectAsync(socket, endPoint, timeout, cancellationToken)
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
            return (failure, error, null);
        }
        return (ConnectFailure.None, SocketError.Success, SocketChannel.Create(socket));
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
