namespace Meshy.Filters.Mirror;

/// <summary>Ends a copy's body read when the copy was abandoned (too far behind, or the primary's body ended incomplete).</summary>
internal sealed class MirrorAbandonedException() : Exception("the mirror copy was abandoned");
