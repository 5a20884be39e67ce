namespace Meshy.Engine.Transport;

/// <summary>
/// Live connection counts of one listener name (<c>meshy_active_connections{listener}</c>). Kept by
/// name across reloads: a rebound listener and its draining predecessor add to the same counter.
/// </summary>
public sealed class ListenerConnectionCounter(string listener)
{
    private long _active;
    private long _accepted;
    private long _rejected;

    /// <summary>The listener's name.</summary>
    public string Listener { get; } = listener;

    /// <summary>Connections open now.</summary>
    public long Active => Volatile.Read(ref _active);

    /// <summary>Connections accepted and served since start.</summary>
    public long Accepted => Volatile.Read(ref _accepted);

    /// <summary>Connections accepted and closed at once because <c>runtime.max_connections</c> was reached.</summary>
    public long Rejected => Volatile.Read(ref _rejected);

    internal void Opened()
    {
        Interlocked.Increment(ref _active);
        Interlocked.Increment(ref _accepted);
    }

    internal void Closed() => Interlocked.Decrement(ref _active);

    internal void CountRejected() => Interlocked.Increment(ref _rejected);
}
