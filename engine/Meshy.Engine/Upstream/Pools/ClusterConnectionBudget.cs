namespace Meshy.Engine.Upstream.Pools;

/// <summary>
/// The connection count of one cluster across its endpoints' pools (<c>limits.max_connections</c>), and
/// the requests waiting for a connection (<c>limits.max_pending_requests</c>). Survives reloads: it is
/// looked up by cluster name in the <see cref="Http1PoolRegistry"/>.
/// </summary>
/// <remarks>
/// A waiter is woken whenever a connection is returned idle or closed anywhere in the cluster; it then
/// retries: an idle connection of its endpoint, a free slot, or evicting another endpoint's idle
/// connection to free one. A version number bumped on every release closes the window between a
/// waiter's failed retry and its enqueue, so no wake-up is lost.
/// <para>A release with no one waiting (nearly every one) takes no lock: it bumps the version, then looks
/// at the waiter count; a waiter counts itself in, then looks at the version again and, if a release
/// slipped past, wakes one waiter itself. Both are fenced, so one of the two always sees the other.</para>
/// </remarks>
public sealed class ClusterConnectionBudget(string cluster)
{
    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private readonly List<Http1ConnectionPool> _pools = [];
    private int _connections;
    private int _pending;
    private int _waiting;
    private long _version;

    /// <summary>The cluster's name.</summary>
    public string Cluster { get; } = cluster;

    /// <summary>Open (or opening) connections of the cluster.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Requests waiting for a connection.</summary>
    public int Pending => Volatile.Read(ref _pending);

    internal long Version => Interlocked.Read(ref _version);

    internal void AddPool(Http1ConnectionPool pool)
    {
        lock (_lock)
        {
            _pools.Add(pool);
        }
    }

    internal void RemovePool(Http1ConnectionPool pool)
    {
        lock (_lock)
        {
            _pools.Remove(pool);
        }
    }

    /// <summary>Takes a connection slot when fewer than <paramref name="max"/> are taken.</summary>
    internal bool TryReserve(int max)
    {
        while (true)
        {
            int current = Volatile.Read(ref _connections);
            if (current >= max)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _connections, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Gives a slot back (a connection closed or never opened) and wakes a waiter.</summary>
    internal void ReleaseSlot()
    {
        Interlocked.Decrement(ref _connections);
        Notify();
    }

    /// <summary>Wakes one waiter: a connection went idle or a slot was freed.</summary>
    internal void Notify()
    {
        Interlocked.Increment(ref _version);
        if (Volatile.Read(ref _waiting) != 0)
        {
            WakeOne();
        }
    }

    private void WakeOne()
    {
        while (true)
        {
            TaskCompletionSource? waiter;
            lock (_lock)
            {
                if (!_waiters.TryDequeue(out waiter))
                {
                    return;
                }
                Volatile.Write(ref _waiting, _waiters.Count);
            }
            if (waiter.TrySetResult())
            {
                return;
            }
            // A waiter that gave up stays queued until it is reached here: the wake-up goes to the next one.
        }
    }

    /// <summary>Closes one idle connection of any pool of the cluster other than <paramref name="except"/>; true when one was closed.</summary>
    internal bool TryEvictIdle(Http1ConnectionPool except)
    {
        Http1ConnectionPool[] pools;
        lock (_lock)
        {
            pools = [.. _pools];
        }
        foreach (Http1ConnectionPool pool in pools)
        {
            if (!ReferenceEquals(pool, except) && pool.TryEvictOne())
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Counts a waiter in when fewer than <paramref name="max"/> wait.</summary>
    internal bool TryEnterPending(int max)
    {
        while (true)
        {
            int current = Volatile.Read(ref _pending);
            if (current >= max)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _pending, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    internal void ExitPending() => Interlocked.Decrement(ref _pending);

    /// <summary>
    /// Waits for the next release after <paramref name="seenVersion"/>; returns at once when one already
    /// happened. Cancelled by <paramref name="cancellationToken"/>.
    /// </summary>
    internal async Task WaitAsync(long seenVersion, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (Interlocked.Read(ref _version) != seenVersion)
            {
                return;
            }
            _waiters.Enqueue(waiter);
            Volatile.Write(ref _waiting, _waiters.Count);
        }
        // A release that bumped the version before seeing this waiter woke no one: its wake-up goes to the
        // first waiter now (this one, or an earlier one that retries in its place).
        Interlocked.MemoryBarrier();
        if (Interlocked.Read(ref _version) != seenVersion)
        {
            WakeOne();
        }
        try
        {
            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Marked as given up, so a wake-up skips it (no token kept: it may wait in the queue a while); one that
            // came first is passed on to the next waiter.
            if (!waiter.TrySetCanceled())
            {
                Notify();
            }
            throw;
        }
    }
}
