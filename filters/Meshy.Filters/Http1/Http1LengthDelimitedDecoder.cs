using System.Buffers;

namespace Meshy.Filters.Http1;

/// <summary>
/// Hands out the bytes of a Content-Length body (RFC 9112 §6.2) as slices of the caller's buffer,
/// with the same calling pattern as <see cref="Http1ChunkedDecoder"/>, so both framings stream alike.
/// </summary>
internal sealed class Http1LengthDelimitedDecoder
{
    /// <summary>Body bytes not yet handed out.</summary>
    public long Remaining { get; private set; }

    /// <summary>True once every byte of the body was handed out.</summary>
    public bool IsCompleted => Remaining == 0;

    /// <summary>Starts a body of <paramref name="length"/> bytes.</summary>
    public void Reset(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Remaining = length;
    }

    /// <summary>
    /// True with non-empty <paramref name="data"/>: the next body bytes (the reader is past them).
    /// True with <see cref="IsCompleted"/>: the body has ended. False: the reader holds no body byte yet.
    /// Bytes after the body (the next message) are never taken.
    /// </summary>
    public bool TryRead(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> data)
    {
        data = default;
        if (Remaining == 0)
        {
            return true;
        }
        long available = Math.Min(reader.Remaining, Remaining);
        if (available == 0)
        {
            return false;
        }
        data = reader.Sequence.Slice(reader.Position, available);
        reader.Advance(available);
        Remaining -= available;
        return true;
    }
}
