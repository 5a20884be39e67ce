namespace Meshy.Engine.Transport;

/// <summary>
/// Thrown by <see cref="ListenerManager.ApplyAsync"/> when one or more listeners could not be bound.
/// Everything else in the snapshot was applied; a listener that failed to move to a new address keeps
/// serving on its old one.
/// </summary>
public sealed class ListenerBindException(IReadOnlyList<ListenerBindFailure> failures)
    : Exception(string.Join("; ", failures))
{
    /// <summary>Every listener that failed, in snapshot order.</summary>
    public IReadOnlyList<ListenerBindFailure> Failures { get; } = failures;
}
