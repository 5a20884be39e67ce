namespace Meshy.Filters.Mirror;

/// <summary>What became of one mirrored copy: the <c>result</c> label of <c>meshy_mirror_requests_total</c>.</summary>
internal enum MirrorResult
{
    /// <summary><c>sent</c>: the whole copy went out and the mirror answered (its answer was dropped).</summary>
    Sent,

    /// <summary><c>failed</c>: no endpoint, connect failure, reset, malformed answer, or the mirror timeout.</summary>
    Failed,

    /// <summary><c>abandoned</c>: the mirror fell a window behind the primary's body, or that body ended incomplete.</summary>
    Abandoned,

    /// <summary><c>skipped</c>: not attempted, the mirror cluster's bound of copies in flight was reached.</summary>
    Skipped,
}
