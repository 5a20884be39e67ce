using System.Collections.Concurrent;

namespace Meshy.Engine.Transport;

/// <summary>
/// Counts downstream connections over every proxy listener (admin excluded) and enforces
/// <c>runtime.max_connections</c>: past it, a new connection is accepted and closed at once.
/// </summary>
public sealed class ConnectionTracker
{
    private readonly ConcurrentDictionary<string, ListenerConnectionCounter> _listeners = new(StringComparer.Ordinal);
    private int _active;

    /// <summary>Connections open now, over all proxy listeners.</summary>
    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>The counters of every listener name seen so far (for <c>/metrics</c>).</summary>
    public IReadOnlyCollection<ListenerConnectionCounter> Listeners => [.. _listeners.Values];

    /// <summary>Connections open now on listener <paramref name="listener"/>; 0 for an unknown name.</summary>
    public long GetActiveConnections(string listener) =>
        _listeners.TryGetValue(listener, out ListenerConnectionCounter? counter) ? counter.Active : 0;

    /// <summary>The counter of a listener name, created on first use; resolve it once per listener, not per connection.</summary>
    public ListenerConnectionCounter ForListener(string listener) =>
        _listeners.GetOrAdd(listener, static name => new ListenerConnectionCounter(name));

    /// <summary>
    /// Takes a connection slot. False when <paramref name="maxConnections"/> are already open: the caller
    /// closes the socket at once. Every true must be paired with one <see cref="Release"/>.
    /// </summary>
    public bool TryAcquire(ListenerConnectionCounter counter, int maxConnections)
    {
        // Optimistic increment: under a burst at the limit a few connections may be refused that a
        // compare-and-swap loop would have admitted a moment later, which is fine for a limit.
        if (Interlocked.Increment(ref _active) > maxConnections)
        {
            Interlocked.Decrement(ref _active);
            counter.CountRejected();
            return false;
        }
        counter.Opened();
        return true;
    }

    /// <summary>Gives back a slot taken by <see cref="TryAcquire"/>.</summary>
    public void Release(ListenerConnectionCounter counter)
    {
        counter.Closed();
        Interlocked.Decrement(ref _active);
    }
}
