namespace Meshy.Filters.Mirror;

/// <summary>What <see cref="MirrorWindow.TryWrite"/> did with a chunk of the primary's body.</summary>
internal enum MirrorWrite
{
    /// <summary>Copied in; the copy's sender will take it.</summary>
    Written,

    /// <summary>Not copied: the copy is a window behind; it must be abandoned.</summary>
    Full,

    /// <summary>Not needed: the copy is over (it failed or timed out); stop teeing.</summary>
    Closed,
}
