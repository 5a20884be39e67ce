using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Meshy.Testing;

/// <summary>
/// A TCP backend on 127.0.0.1 port 0 for tests: accepts every connection and runs a handler on it,
/// then closes the socket (FIN). <see cref="Echo"/> and <see cref="Sink"/> cover the common cases.
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<Socket, CancellationToken, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private readonly ConcurrentQueue<Exception> _errors = new();
    private readonly Task _acceptLoop;
    private int _accepted;

    private FakeUpstream(Func<Socket, CancellationToken, Task> handler, int backlog)
    {
        _handler = handler;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(backlog);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Where the backend listens.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Connections whose handler is still running.</summary>
    public int Active => _connections.Count;

    /// <summary>Exceptions thrown by handlers (a reset peer, a failed assertion inside a handler).</summary>
    public IReadOnlyCollection<Exception> Errors => [.. _errors];

    /// <summary>Runs <paramref name="handler"/> for each accepted connection; the socket is closed when it returns.</summary>
    public static FakeUpstream Start(Func<Socket, CancellationToken, Task> handler, int backlog = 1024) => new(handler, backlog);

    /// <summary>Sends back every byte it receives; shuts down sending after the peer's FIN, then closes.</summary>
    public static FakeUpstream Echo() => Start(EchoAsync);

    /// <summary>
    /// Reads until the peer's FIN and hands the received bytes' SHA-256 and length to
    /// <paramref name="onReceived"/>, then closes.
    /// </summary>
    public static FakeUpstream Sink(Action<byte[], long> onReceived) => Start(async (socket, cancellationToken) =>
    {
        (byte[] hash, long length) = await Loopback.HashToEndAsync(socket, cancellationToken).ConfigureAwait(false);
        onReceived(hash, length);
    });

    /// <summary>The echo loop, reusable inside custom handlers.</summary>
    public static async Task EchoAsync(Socket socket, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        while (true)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                socket.Shutdown(SocketShutdown.Send);
                return;
            }
            await Loopback.SendAllAsync(socket, buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops accepting, resets open connections and waits for their handlers.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        foreach (Socket socket in _connections.Keys)
        {
            socket.Dispose();
        }
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            accepted.NoDelay = true;
            // Registered before it starts, so a handler that ends at once cannot unregister first.
            var serve = new Task<Task>(() => ServeAsync(accepted));
            _connections[accepted] = serve.Unwrap();
            serve.Start(TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            await _handler(socket, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _errors.Enqueue(ex);
        }
        finally
        {
            socket.Dispose();
            _connections.TryRemove(socket, out _);
        }
    }
}
