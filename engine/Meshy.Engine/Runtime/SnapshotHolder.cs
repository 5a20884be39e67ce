namespace Meshy.Engine.Runtime;

/// <summary>
/// Publishes the current <see cref="ProxySnapshot"/>. Readers take one reference and keep it for the
/// whole connection or request; a reload swaps the reference atomically and never mutates a snapshot.
/// </summary>
public sealed class SnapshotHolder(ProxySnapshot initial)
{
    private ProxySnapshot _current = initial;

    /// <summary>The snapshot new connections and requests start on.</summary>
    public ProxySnapshot Current => Volatile.Read(ref _current);

    /// <summary>Raised after a new snapshot is published (listeners are reconciled from here).</summary>
    public event Action<ProxySnapshot, ProxySnapshot>? Swapped;

    /// <summary>Publishes <paramref name="next"/> and returns the snapshot it replaced.</summary>
    public ProxySnapshot Publish(ProxySnapshot next)
    {
        ProxySnapshot previous = Interlocked.Exchange(ref _current, next);
        Swapped?.Invoke(previous, next);
        return previous;
    }
}
