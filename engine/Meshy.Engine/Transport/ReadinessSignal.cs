namespace Meshy.Engine.Transport;

/// <summary>
/// One direction of an epoll-registered socket: counts the kernel's readiness events and wakes whoever
/// waits for the next one. A waiter names the count it saw before its system call failed with EAGAIN;
/// an event since then means "try again" instead of a wait, so no edge is ever lost between the failed
/// call and the wait.
/// </summary>
/// <remarks>
/// An event with no one waiting (the usual case for a socket's writable side) takes no lock: the signal
/// counts the event, then looks for waiters; a waiter queues itself, then looks at the count again. Each
/// side's write is fenced before its read, so at least one of them sees the other: the signal finds the
/// waiter and wakes it, or the waiter finds the event and takes itself back (or is being woken already).
/// </remarks>
internal sealed class ReadinessSignal
{
    private readonly Lock _lock = new();
    private long _events;
    private bool _closed;
    private ReadinessWaiter? _waiters;

    /// <summary>Events seen so far; read it before the system call whose EAGAIN would make you wait.</summary>
    public long Events => Volatile.Read(ref _events);

    /// <summary>The kernel reported readiness (epoll thread): every waiter is woken.</summary>
    public void Signal(bool wakeAsynchronously) => Wake(SignalAndTake(), wakeAsynchronously);

    /// <summary>
    /// <see cref="Signal"/>, but the waiters (linked by <see cref="ReadinessWaiter.Next"/>) are the caller's to wake
    /// with <see cref="Wake"/>; until then none of them can be woken or cancelled by anyone else.
    /// </summary>
    public ReadinessWaiter? SignalAndTake()
    {
        Interlocked.Increment(ref _events);
        if (Volatile.Read(ref _waiters) is null)
        {
            return null;
        }
        lock (_lock)
        {
            ReadinessWaiter? waiters = _waiters;
            _waiters = null;
            return waiters;
        }
    }

    /// <summary>The socket was closed: waiters wake (on the thread pool) and no one waits again.</summary>
    public void Close()
    {
        ReadinessWaiter? waiters;
        lock (_lock)
        {
            _closed = true;
            Interlocked.Increment(ref _events);
            waiters = _waiters;
            _waiters = null;
        }
        Wake(waiters, wakeAsynchronously: true);
    }

    /// <summary>Queues <paramref name="waiter"/> unless an event came after <paramref name="seenEvents"/> or the socket is closed.</summary>
    public bool TryEnqueue(ReadinessWaiter waiter, long seenEvents)
    {
        lock (_lock)
        {
            if (_closed || Volatile.Read(ref _events) != seenEvents)
            {
                return false;
            }
            waiter.Next = _waiters;
            Volatile.Write(ref _waiters, waiter);
        }
        // A signal that counted its event before seeing this waiter may have left without waking it.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _events) != seenEvents && TryRemove(waiter))
        {
            return false;
        }
        return true;
    }

    /// <summary>Takes <paramref name="waiter"/> back (its wait was cancelled); false when an event already woke it.</summary>
    public bool TryRemove(ReadinessWaiter waiter)
    {
        lock (_lock)
        {
            ReadinessWaiter? previous = null;
            for (ReadinessWaiter? current = _waiters; current is not null; previous = current, current = current.Next)
            {
                if (current == waiter)
                {
                    if (previous is null)
                    {
                        _waiters = current.Next;
                    }
                    else
                    {
                        previous.Next = current.Next;
                    }
                    current.Next = null;
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>Wakes the waiters <see cref="SignalAndTake"/> took.</summary>
    public static void Wake(ReadinessWaiter? waiters, bool wakeAsynchronously)
    {
        while (waiters is not null)
        {
            ReadinessWaiter next = waiters.Next!;
            waiters.Next = null;
            waiters.Wake(wakeAsynchronously);
            waiters = next;
        }
    }
}
