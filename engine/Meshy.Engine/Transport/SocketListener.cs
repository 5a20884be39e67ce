using System.Net;
using System.Net.Sockets;
using Meshy.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Meshy.Engine.Transport;

/// <summary>
/// One bound listening socket and the connections it accepted. Each accepted connection reads
/// <see cref="SnapshotHolder.Current"/> once, finds its listener there by name, and runs that
/// listener's network filters on a thread-pool thread until one stops the chain.
/// </summary>
/// <remarks>
/// Life cycle: <see cref="Start"/> binds and accepts; <see cref="DrainAsync"/> closes the listening
/// socket at once (the kernel refuses new connections), cancels <c>Draining</c>, waits for the
/// connections to end, and past its timeout cancels <c>Closing</c>, which resets what is left.
/// </remarks>
internal sealed partial class SocketListener : IAsyncDisposable
{
    // Kestrel's default; the kernel caps it at net.core.somaxconn.
    private const int Backlog = 512;

    // After Closing, connections are reset; their filters end as soon as their next IO fails.
    private static readonly TimeSpan CutGrace = TimeSpan.FromSeconds(5);

    private static long s_nextConnectionId;

    private readonly SnapshotHolder _holder;
    private readonly ConnectionTracker _tracker;
    private readonly ListenerConnectionCounter _counter;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _draining = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Resolved _applied;
    private Resolved _lastResolved;
    private Socket? _listenSocket;
    private Task _acceptLoop = Task.CompletedTask;
    private int _active;
    private int _stopRequested;
    private int _acceptLoopEnded;
    private int _cut;

    public SocketListener(
        ListenerSnapshot listener,
        ProxySnapshot snapshot,
        SnapshotHolder holder,
        PipeOptionsFactory pipes,
        ConnectionTracker tracker,
        ILogger logger,
        TimeProvider time)
    {
        _applied = new Resolved(snapshot, listener);
        _lastResolved = _applied;
        _holder = holder;
        Pipes = pipes;
        _tracker = tracker;
        _counter = tracker.ForListener(listener.Name);
        _logger = logger;
        _time = time;
    }

    /// <summary>The listener's name (its identity across reloads).</summary>
    public string Name => _applied.Listener.Name;

    /// <summary>The listener as last applied (the address it was bound with).</summary>
    public ListenerSnapshot Listener => Volatile.Read(ref _applied).Listener;

    /// <summary>The bound address; with port 0 configured, the port the kernel chose.</summary>
    public IPEndPoint LocalEndPoint { get; private set; } = new(IPAddress.None, 0);

    /// <summary>Connections accepted by this socket and not yet ended.</summary>
    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>True once the listening socket is closed.</summary>
    public bool IsStopped => Volatile.Read(ref _stopRequested) != 0;

    internal PipeOptionsFactory Pipes { get; }

    internal ILogger Logger => _logger;

    internal CancellationToken DrainingToken => _draining.Token;

    internal CancellationToken ClosingToken => _closing.Token;

    /// <summary>Binds and listens, then accepts in the background. Throws <see cref="SocketException"/> when the bind fails.</summary>
    public void Start()
    {
        ListenerSnapshot listener = _applied.Listener;
        var socket = new Socket(listener.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // SO_REUSEADDR lets a restarted proxy bind while old connections sit in TIME_WAIT. On
            // Windows the same option allows stealing a bound port, so it is left off there (as Kestrel does).
            if (!OperatingSystem.IsWindows())
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }
            socket.Bind(listener.EndPoint);
            socket.Listen(Backlog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _listenSocket = socket;
        LogStarted(Name, LocalEndPoint, listener.Protocol);
        _acceptLoop = AcceptLoopAsync(socket);
    }

    /// <summary>Keeps the socket for a reloaded listener that can reuse it; new connections use <paramref name="snapshot"/> as fallback.</summary>
    public void Update(ProxySnapshot snapshot, ListenerSnapshot listener) =>
        Volatile.Write(ref _applied, new Resolved(snapshot, listener));

    /// <summary>
    /// Closes the listening socket now (new connections are refused) and cancels <c>Draining</c> for
    /// the connections in flight. Idempotent.
    /// </summary>
    public void StopAccepting()
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) != 0)
        {
            return;
        }
        _listenSocket?.Dispose();
        LogStopped(Name, LocalEndPoint);
        try
        {
            _draining.Cancel();
        }
        catch (AggregateException ex)
        {
            // A filter's Draining callback threw; the drain goes on regardless.
            LogDrainCallbackFailed(Name, ex);
        }
    }

    /// <summary>
    /// Drains: stops accepting, lets connections finish for up to <paramref name="timeout"/>, then cuts
    /// the rest. Returns how many connections were cut.
    /// </summary>
    public async Task<int> DrainAsync(TimeSpan timeout)
    {
        StopAccepting();
        await WaitForAcceptLoopAsync().ConfigureAwait(false);
        if (ActiveConnections > 0)
        {
            LogDraining(Name, ActiveConnections, timeout);
        }
        if (await WaitIdleAsync(timeout).ConfigureAwait(false))
        {
            LogDrained(Name);
            return 0;
        }
        return await CutAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Stops accepting and cancels <c>Closing</c> at once: every connection still open is reset.
    /// Returns how many were cut (0 when another caller already cut them).
    /// </summary>
    public async Task<int> CutAsync()
    {
        StopAccepting();
        await WaitForAcceptLoopAsync().ConfigureAwait(false);
        int remaining = ActiveConnections;
        if (Interlocked.Exchange(ref _cut, 1) != 0 || remaining == 0)
        {
            await WaitIdleAsync(CutGrace).ConfigureAwait(false);
            return 0;
        }
        LogCut(Name, remaining);
        try
        {
            _closing.Cancel();
        }
        catch (AggregateException ex)
        {
            LogDrainCallbackFailed(Name, ex);
        }
        await WaitIdleAsync(CutGrace).ConfigureAwait(false);
        return remaining;
    }

    /// <summary>Cuts whatever is still open and releases the socket.</summary>
    public async ValueTask DisposeAsync() => await CutAsync().ConfigureAwait(false);

    internal void OnConnectionClosed()
    {
        _tracker.Release(_counter);
        // Decrement is a full fence, so this read cannot see a stale "still accepting" once the
        // drain has recorded the accept loop's end and found connections still open.
        if (Interlocked.Decrement(ref _active) == 0 && Volatile.Read(ref _acceptLoopEnded) != 0)
        {
            _idle.TrySetResult();
        }
    }

    private async Task AcceptLoopAsync(Socket listenSocket)
    {
        // Leave Start (and the caller's lock) before the first accept completes synchronously.
        await Task.Yield();
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await listenSocket.AcceptAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (IsStopped || ex.SocketErrorCode == SocketError.OperationAborted)
            {
                return;
            }
            catch (SocketException ex)
            {
                // A connection that died in the backlog (ECONNABORTED) or a process out of file
                // descriptors must not end the loop; back off a little on resource exhaustion so the
                // loop does not spin while nothing can be accepted.
                LogAcceptFailed(Name, ex.SocketErrorCode, ex);
                if (ex.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50), _time).ConfigureAwait(false);
                }
                continue;
            }
            Dispatch(accepted);
        }
    }

    private void Dispatch(Socket accepted)
    {
        try
        {
            Resolved resolved = Resolve();
            if (!_tracker.TryAcquire(_counter, resolved.Snapshot.Runtime.MaxConnections))
            {
                LogRejectedOverLimit(Name, resolved.Snapshot.Runtime.MaxConnections);
                accepted.Dispose();
                return;
            }
            Interlocked.Increment(ref _active);
            var handler = new ConnectionHandler(this, accepted, resolved.Snapshot, resolved.Listener, Interlocked.Increment(ref s_nextConnectionId));
            // Off the accept loop at once: a filter's synchronous work must never delay the next accept.
            ThreadPool.UnsafeQueueUserWorkItem(handler, preferLocal: false);
        }
        catch (Exception ex)
        {
            LogConnectionFailed(Name, 0, ex);
            accepted.Dispose();
        }
    }

    /// <summary>
    /// The snapshot and listener a new connection is served with: the current snapshot when it still
    /// has this listener on this socket, else the one last applied (a reload that removes or rebinds
    /// this listener publishes before the socket closes).
    /// </summary>
    private Resolved Resolve()
    {
        ProxySnapshot current = _holder.Current;
        Resolved last = Volatile.Read(ref _lastResolved);
        if (ReferenceEquals(last.Snapshot, current))
        {
            return last;
        }
        Resolved applied = Volatile.Read(ref _applied);
        foreach (ListenerSnapshot candidate in current.Listeners)
        {
            if (candidate.CanReuseSocketOf(applied.Listener))
            {
                var resolved = new Resolved(current, candidate);
                Volatile.Write(ref _lastResolved, resolved);
                return resolved;
            }
        }
        if (!ReferenceEquals(last, applied))
        {
            LogNotInSnapshot(Name);
            Volatile.Write(ref _lastResolved, applied);
        }
        return applied;
    }

    private async Task WaitForAcceptLoopAsync()
    {
        await _acceptLoop.ConfigureAwait(false);
        Interlocked.Exchange(ref _acceptLoopEnded, 1);
        if (Volatile.Read(ref _active) == 0)
        {
            _idle.TrySetResult();
        }
    }

    private async Task<bool> WaitIdleAsync(TimeSpan timeout)
    {
        if (_idle.Task.IsCompleted)
        {
            return true;
        }
        using var stopDelay = new CancellationTokenSource();
        Task delay = Task.Delay(timeout, _time, stopDelay.Token);
        Task first = await Task.WhenAny(_idle.Task, delay).ConfigureAwait(false);
        await stopDelay.CancelAsync().ConfigureAwait(false);
        return ReferenceEquals(first, _idle.Task);
    }

    /// <summary>A snapshot and this listener's entry in it.</summary>
    private sealed record Resolved(ProxySnapshot Snapshot, ListenerSnapshot Listener);
}
