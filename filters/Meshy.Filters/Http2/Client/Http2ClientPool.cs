using System.Runtime.CompilerServices;
using Meshy.Engine.Tasks;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.CircuitBreaking;
using Meshy.Engine.Upstream.Pools;
using Meshy.Filters.Router;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Http2.Client;

/// <summary>
/// The HTTP/2 connections to one endpoint, each carrying up to the peer's SETTINGS_MAX_CONCURRENT_STREAMS
/// requests at once. A request takes a stream on the first connection with room; when every connection is
/// full a new one opens within the cluster's <c>limits.max_connections</c> (the same budget HTTP/1.1 counts
/// against); past that the request waits for a stream slot as pending, up to <c>max_pending_requests</c>,
/// else 503 <c>UO</c>. Keyed by <see cref="EndpointState"/> in the <see cref="Http2PoolRegistry"/>, so it
/// survives reloads that keep the endpoint.
/// </summary>
/// <remarks>
/// While a connection is still opening (its SETTINGS, which say how many streams it takes, not yet in),
/// other requests wait for it instead of opening one each: 200 requests arriving together open one
/// connection, not 200. A connection that sent GOAWAY takes no new streams and closes when its last stream
/// ends; a broken one is dropped at once; an unused one closes after the cluster's idle timeout.
/// </remarks>
internal sealed class Http2ClientPool
{
    private readonly Lock _lock = new();
    private readonly List<Http2ClientConnection> _connections = [];
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiting;
    private int _opening;
    private long _lastUsed;
    private Http1PoolSettings _settings = Http1PoolSettings.Default;

    internal Http2ClientPool(EndpointState endpoint, ClusterConnectionBudget budget, TimeProvider time, ILogger logger)
    {
        Endpoint = endpoint;
        Budget = budget;
        _time = time;
        _logger = logger;
        _lastUsed = time.GetTimestamp();
    }

    /// <summary>The endpoint's live state.</summary>
    public EndpointState Endpoint { get; }

    /// <summary>The cluster-wide connection budget (shared with HTTP/1.1 pools of the same cluster name).</summary>
    public ClusterConnectionBudget Budget { get; }

    /// <summary>Open connections (for tests and diagnostics).</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_lock)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>A stream for one request to <paramref name="endpoint"/>: on a connection with room, a new one, or after waiting.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public async ValueTask<UpstreamAcquireResult> AcquireAsync(
        EndpointSnapshot endpoint,
        Http1PoolSettings settings,
        UpstreamConnector connector,
        CancellationToken cancellationToken,
        ClusterCircuitBreaker? breaker)
    {
        _settings = settings;
        bool pending = false;
        bool limited = false;
        try
        {
            while (true)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return new UpstreamAcquireResult(Http1PoolStatus.Canceled, null);
                }
                long version = Budget.Version;
                Task changed;
                bool open = false;
                bool opening;
                lock (_lock)
                {
                    // 1. a stream on a ready connection with room
                    if (TakeStreamUnsynchronized() is { } connection)
                    {
                        Volatile.Write(ref _lastUsed, _time.GetTimestamp());
                        return new UpstreamAcquireResult(Http1PoolStatus.Reused, connection.CreateStream());
                    }
                    // 2. a connection is opening: its SETTINGS will tell how many streams it takes; else
                    // 3. a new connection within max_connections (decided under the lock: one opener at a time)
                    opening = _opening > 0;
                    if (!opening && Budget.TryReserve(settings.MaxConnections))
                    {
                        _opening++;
                        open = true;
                    }
                    changed = _changed.Task;
                    if (!open)
                    {
                        _waiting++;
                    }
                }
                if (open)
                {
                    return await ConnectAsync(endpoint, settings, connector, cancellationToken).ConfigureAwait(false);
                }
                try
                {
                    if (!opening)
                    {
                        // 4. every connection is full and none may open: wait for a stream slot, as pending
                        if (!limited)
                        {
                            limited = true;
                            breaker?.CountOverflow(CircuitBreakerLimit.MaxConnections);
                        }
                        if (!pending)
                        {
                            if (!Budget.TryEnterPending(settings.MaxPendingRequests))
                            {
                                breaker?.CountOverflow(CircuitBreakerLimit.MaxPendingRequests);
                                return new UpstreamAcquireResult(Http1PoolStatus.Overflow, null);
                            }
                            pending = true;
                        }
                        // A connection of another endpoint of the cluster closing frees budget too.
                        await WaitForSlotAsync(changed, version, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return new UpstreamAcquireResult(Http1PoolStatus.Canceled, null);
                }
                finally
                {
                    lock (_lock)
                    {
                        _waiting--;
                    }
                }
            }
        }
        finally
        {
            if (pending)
            {
                Budget.ExitPending();
            }
        }
    }

    /// <summary>A stream of <paramref name="connection"/> ended: its slot is free again.</summary>
    internal void OnStreamReleased(Http2ClientConnection connection)
    {
        bool close;
        lock (_lock)
        {
            connection.ActiveStreams--;
            connection.IdleSince = _time.GetTimestamp();
            close = connection.ActiveStreams == 0 && connection.IsDraining;
            SignalUnsynchronized();
        }
        if (close)
        {
            connection.Dispose();
        }
    }

    /// <summary>The connection's settings or GOAWAY state changed: waiters look again; a drained connection closes.</summary>
    internal void OnConnectionChanged(Http2ClientConnection connection)
    {
        bool close;
        lock (_lock)
        {
            close = connection.IsDraining && connection.ActiveStreams == 0 && _connections.Contains(connection);
            SignalUnsynchronized();
        }
        if (close)
        {
            connection.Dispose();
        }
    }

    /// <summary>The connection's read loop ended: forget it and give its slot back.</summary>
    internal void OnConnectionClosed(Http2ClientConnection connection)
    {
        bool removed;
        lock (_lock)
        {
            removed = _connections.Remove(connection);
            SignalUnsynchronized();
        }
        if (removed)
        {
            Budget.ReleaseSlot();
        }
    }

    /// <summary>Closes connections idle past the idle timeout; true when the pool is empty and unused for as long.</summary>
    internal bool Sweep()
    {
        Http1PoolSettings settings = _settings;
        long now = _time.GetTimestamp();
        List<Http2ClientConnection>? expired = null;
        bool empty;
        lock (_lock)
        {
            foreach (Http2ClientConnection connection in _connections)
            {
                if (connection.ActiveStreams == 0 && _time.GetElapsedTime(connection.IdleSince, now) >= settings.IdleTimeout)
                {
                    (expired ??= []).Add(connection);
                }
            }
            empty = _connections.Count == (expired?.Count ?? 0) && _opening == 0;
        }
        if (expired is not null)
        {
            foreach (Http2ClientConnection connection in expired)
            {
                connection.Dispose();
            }
        }
        return empty && _time.GetElapsedTime(Volatile.Read(ref _lastUsed), now) >= settings.IdleTimeout;
    }

    /// <summary>Closes every connection (shutdown).</summary>
    internal void CloseAll()
    {
        Http2ClientConnection[] connections;
        lock (_lock)
        {
            connections = [.. _connections];
        }
        foreach (Http2ClientConnection connection in connections)
        {
            connection.Dispose();
        }
    }

    /// <summary>
    /// Waits until this pool changes (a stream ended, a connection opened or closed) or the cluster's budget
    /// frees a slot; the budget wait is cancelled when the pool wakes first, so its wake-up passes on to the next waiter.
    /// </summary>
    private async Task WaitForSlotAsync(Task changed, long version, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task budget = Budget.WaitAsync(version, stop.Token);
        await Task.WhenAny(changed, budget).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await budget.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Woken by the pool, or the request gave up (seen at the top of the loop).
        }
    }

    private Http2ClientConnection? TakeStreamUnsynchronized()
    {
        foreach (Http2ClientConnection connection in _connections)
        {
            if (!connection.IsDraining && (uint)connection.ActiveStreams < connection.MaxConcurrentStreams)
            {
                connection.ActiveStreams++;
                return connection;
            }
        }
        return null;
    }

    private void SignalUnsynchronized()
    {
        if (_waiting == 0)
        {
            return;
        }
        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<UpstreamAcquireResult> ConnectAsync(EndpointSnapshot endpoint, Http1PoolSettings settings, UpstreamConnector connector, CancellationToken cancellationToken)
    {
        // The caller counted this connection in _opening and reserved its budget slot.
        Http2ClientConnection? connection = null;
        try
        {
            UpstreamConnectResult result = await connector.ConnectAsync(endpoint, settings.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                Budget.ReleaseSlot();
                return result.Failure == ConnectFailure.Canceled
                    ? new UpstreamAcquireResult(Http1PoolStatus.Canceled, null)
                    : new UpstreamAcquireResult(Http1PoolStatus.ConnectFailed, null, result.Failure, result.SocketError);
            }
            connection = new Http2ClientConnection(result.Connection, _logger);
            if (!await connection.StartAsync(settings.ConnectTimeout, cancellationToken).ConfigureAwait(false))
            {
                // No SETTINGS from the peer: not an HTTP/2 server, or it closed at once. A connect failure (UF).
                connection.Dispose();
                Budget.ReleaseSlot();
                return cancellationToken.IsCancellationRequested
                    ? new UpstreamAcquireResult(Http1PoolStatus.Canceled, null)
                    : new UpstreamAcquireResult(Http1PoolStatus.ConnectFailed, null, ConnectFailure.Failed, System.Net.Sockets.SocketError.ProtocolNotSupported);
            }
            lock (_lock)
            {
                connection.ActiveStreams = 1;
                connection.IdleSince = _time.GetTimestamp();
                _connections.Add(connection);
                connection.Pool = this;
                Volatile.Write(ref _lastUsed, _time.GetTimestamp());
            }
            if (connection.IsClosed)
            {
                // Closed between the handshake and joining the pool: its close notice found no pool to tell.
                OnConnectionClosed(connection);
            }
            return new UpstreamAcquireResult(Http1PoolStatus.Connected, connection.CreateStream());
        }
        catch
        {
            connection?.Dispose();
            Budget.ReleaseSlot();
            throw;
        }
        finally
        {
            lock (_lock)
            {
                _opening--;
                SignalUnsynchronized();
            }
        }
    }
}
