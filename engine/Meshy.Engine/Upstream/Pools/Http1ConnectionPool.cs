using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Meshy.Engine.Tasks;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream.CircuitBreaking;

namespace Meshy.Engine.Upstream.Pools;

/// <summary>
/// HTTP/1.1 connections to one endpoint: idle ones kept for reuse (last in, first out, so the hottest
/// connection is reused and the rest age out), new ones opened within the cluster's
/// <c>limits.max_connections</c>, and requests beyond that waiting (up to <c>max_pending_requests</c>) or
/// refused (<see cref="Http1PoolStatus.Overflow"/>). Keyed by <see cref="EndpointState"/> in the
/// <see cref="Http1PoolRegistry"/>, so it survives reloads that keep the endpoint.
/// </summary>
/// <remarks>
/// A connection comes back through <see cref="Release"/>: reusable only when its request and response
/// were both fully transferred and neither side asked to close; anything else closes it. An idle
/// connection the upstream closed in the meantime is noticed when it is taken (its pipe has ended or
/// holds unexpected bytes) and closed instead of being used.
/// </remarks>
public sealed class Http1ConnectionPool
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private Http1PooledConnection[] _idle = new Http1PooledConnection[4];
    private int _idleCount;
    private int _active;
    private long _lastUsed;
    private Http1PoolSettings _settings = Http1PoolSettings.Default;

    internal Http1ConnectionPool(EndpointState endpoint, ClusterConnectionBudget budget, TimeProvider time)
    {
        Endpoint = endpoint;
        Budget = budget;
        _time = time;
        _lastUsed = time.GetTimestamp();
    }

    /// <summary>The endpoint's live state.</summary>
    public EndpointState Endpoint { get; }

    /// <summary>The cluster-wide connection budget.</summary>
    public ClusterConnectionBudget Budget { get; }

    /// <summary>Idle connections.</summary>
    public int IdleCount => Volatile.Read(ref _idleCount);

    /// <summary>Connections lent to requests.</summary>
    public int ActiveCount => Volatile.Read(ref _active);

    /// <summary>
    /// A connection for one request to <paramref name="endpoint"/>: an idle one, a new one, or one that
    /// frees up while the request waits as pending. Never waits beyond <paramref name="cancellationToken"/>.
    /// <paramref name="fresh"/>: skip idle connections and open a new one (the retry after a reused
    /// connection turned out to be closed by the upstream: the other idle ones may be just as stale).
    /// <paramref name="breaker"/>: where the cluster's overflows are counted, once per call each: <c>max_connections</c>
    /// when the connection limit kept a new connection from opening, <c>max_pending_requests</c> when the
    /// request was then refused.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public async ValueTask<Http1PoolResult> AcquireAsync(
        EndpointSnapshot endpoint,
        Http1PoolSettings settings,
        UpstreamConnector connector,
        CancellationToken cancellationToken,
        bool fresh = false,
        ClusterCircuitBreaker? breaker = null)
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
                    return new Http1PoolResult(Http1PoolStatus.Canceled, null);
                }
                long version = Budget.Version;
                if (!fresh && TryTakeIdle() is { } idle)
                {
                    return new Http1PoolResult(Http1PoolStatus.Reused, idle);
                }
                if (Budget.TryReserve(settings.MaxConnections))
                {
                    return await ConnectAsync(endpoint, settings, connector, cancellationToken).ConfigureAwait(false);
                }
                if (Budget.TryEvictIdle(this))
                {
                    continue;
                }
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
                        return new Http1PoolResult(Http1PoolStatus.Overflow, null);
                    }
                    pending = true;
                }
                try
                {
                    await Budget.WaitAsync(version, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return new Http1PoolResult(Http1PoolStatus.Canceled, null);
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

    /// <summary>
    /// Gives a connection back. <paramref name="reusable"/>: the request and response were complete and
    /// both sides keep the connection; otherwise (or when the idle list is full) it is closed.
    /// </summary>
    public void Release(Http1PooledConnection connection, bool reusable)
    {
        Interlocked.Decrement(ref _active);
        connection.Requests++;
        Http1PoolSettings settings = _settings;
        if (reusable)
        {
            // Checked now, while the pipe is warm from the response just read; taking it back then only
            // compares the socket's readiness count, which moves when anything arrives (see TryTakeIdle).
            // The count is read first: an arrival after it is caught at reuse, one before it by this check.
            // Where the engine does not count (-1), the pipe is read at reuse only.
            long events = connection.ReceiveEvents;
            reusable = events < 0 || IsStillUsable(connection);
            connection.ReceiveEventsWhenIdle = events;
        }
        if (reusable)
        {
            lock (_lock)
            {
                if (_idleCount < settings.MaxIdlePerEndpoint)
                {
                    if (_idleCount == _idle.Length)
                    {
                        Array.Resize(ref _idle, _idle.Length * 2);
                    }
                    connection.IdleSince = _time.GetTimestamp();
                    _idle[_idleCount] = connection;
                    Volatile.Write(ref _idleCount, _idleCount + 1);
                    reusable = true;
                }
                else
                {
                    reusable = false;
                }
            }
        }
        if (reusable)
        {
            Budget.Notify();
            return;
        }
        Close(connection);
    }

    /// <summary>Closes idle connections older than the idle timeout; true when the pool is empty and unused for that long.</summary>
    internal bool Sweep()
    {
        Http1PoolSettings settings = _settings;
        long now = _time.GetTimestamp();
        while (true)
        {
            Http1PooledConnection? expired = null;
            lock (_lock)
            {
                // The oldest idle connection is at the bottom of the stack.
                if (_idleCount > 0 && _time.GetElapsedTime(_idle[0].IdleSince, now) >= settings.IdleTimeout)
                {
                    expired = _idle[0];
                    Array.Copy(_idle, 1, _idle, 0, _idleCount - 1);
                    _idle[--_idleCount] = null!;
                }
            }
            if (expired is null)
            {
                break;
            }
            Close(expired);
        }
        return IdleCount == 0 && ActiveCount == 0 && _time.GetElapsedTime(Volatile.Read(ref _lastUsed), now) >= settings.IdleTimeout;
    }

    /// <summary>Closes the oldest idle connection; true when there was one.</summary>
    internal bool TryEvictOne()
    {
        Http1PooledConnection? victim = null;
        lock (_lock)
        {
            if (_idleCount > 0)
            {
                victim = _idle[0];
                Array.Copy(_idle, 1, _idle, 0, _idleCount - 1);
                _idle[--_idleCount] = null!;
            }
        }
        if (victim is null)
        {
            return false;
        }
        Close(victim);
        return true;
    }

    /// <summary>Closes every idle connection (shutdown).</summary>
    internal void CloseIdle()
    {
        while (TryEvictOne())
        {
        }
    }

    private Http1PooledConnection? TryTakeIdle()
    {
        while (true)
        {
            Http1PooledConnection? candidate = null;
            lock (_lock)
            {
                if (_idleCount > 0)
                {
                    candidate = _idle[--_idleCount];
                    _idle[_idleCount] = null!;
                }
            }
            if (candidate is null)
            {
                return null;
            }
            // Nothing arrived since it went idle (checked empty then): usable without touching its pipe, which
            // is likely cold by now. Otherwise, or where the engine does not count, the pipe says.
            long idleEvents = candidate.ReceiveEventsWhenIdle;
            if ((idleEvents >= 0 && candidate.ReceiveEvents == idleEvents) || IsStillUsable(candidate))
            {
                Interlocked.Increment(ref _active);
                Volatile.Write(ref _lastUsed, _time.GetTimestamp());
                return candidate;
            }
            Close(candidate);
        }
    }

    /// <summary>
    /// An idle HTTP/1.1 connection must have nothing to read: bytes would be an unsolicited response,
    /// an ended pipe means the upstream closed it (RFC 9112 §9.5: servers close idle connections at will).
    /// </summary>
    private static bool IsStillUsable(Http1PooledConnection connection)
    {
        PipeReader input = connection.Connection.Transport.Input;
        try
        {
            if (!input.TryRead(out ReadResult result))
            {
                return true;
            }
            bool usable = !result.IsCompleted && !result.IsCanceled && result.Buffer.IsEmpty;
            input.AdvanceTo(result.Buffer.Start);
            return usable;
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<Http1PoolResult> ConnectAsync(EndpointSnapshot endpoint, Http1PoolSettings settings, UpstreamConnector connector, CancellationToken cancellationToken)
    {
        UpstreamConnectResult result;
        try
        {
            result = await connector.ConnectAsync(endpoint, settings.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Budget.ReleaseSlot();
            throw;
        }
        if (!result.Succeeded)
        {
            Budget.ReleaseSlot();
            return result.Failure == ConnectFailure.Canceled
                ? new Http1PoolResult(Http1PoolStatus.Canceled, null)
                : new Http1PoolResult(Http1PoolStatus.ConnectFailed, null, result.Failure, result.SocketError);
        }
        Interlocked.Increment(ref _active);
        Volatile.Write(ref _lastUsed, _time.GetTimestamp());
        return new Http1PoolResult(Http1PoolStatus.Connected, new Http1PooledConnection(result.Connection, this));
    }

    private void Close(Http1PooledConnection connection)
    {
        connection.Close();
        Budget.ReleaseSlot();
    }
}
