namespace Meshy.Filters.Observability.AccessLog;

/// <summary>
/// One slot of the <see cref="AccessLogWriter"/> ring: a line's bytes in a buffer the slot keeps from line
/// to line (grown only for a longer line), its length, and the sequence number that says who owns the slot.
/// </summary>
/// <remarks>
/// Slot <c>i</c> holds position <c>p</c> (<c>p % capacity == i</c>): <see cref="Sequence"/> is <c>p</c> while
/// it is free for the producer of <c>p</c>, <c>p + 1</c> once that line is in it, and <c>p + capacity</c>
/// after the writer thread wrote it out (free for the next lap).
/// </remarks>
internal struct AccessLogLine
{
    /// <summary>Ownership of the slot (see remarks); read and written with <see cref="Volatile"/>.</summary>
    public long Sequence;

    /// <summary>The line's length in <see cref="Buffer"/>, newline included; 0 when formatting it failed (nothing to write).</summary>
    public int Length;

    /// <summary>The slot's buffer; null until the slot first holds a line.</summary>
    public byte[]? Buffer;
}
