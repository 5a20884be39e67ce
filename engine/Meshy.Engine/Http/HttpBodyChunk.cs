using System.Buffers;

namespace Meshy.Engine.Http;

/// <summary>
/// What <see cref="IHttpBodySource.ReadAsync"/> returns: body bytes (a slice of the buffer they were
/// received into, valid until <see cref="IHttpBodySource.Advance"/>), and whether the body has ended.
/// The last chunk may carry data and <see cref="IsEnd"/> together, or <see cref="IsEnd"/> alone.
/// </summary>
public readonly struct HttpBodyChunk(ReadOnlySequence<byte> data, bool isEnd)
{
    /// <summary>The end of a body, no data.</summary>
    public static HttpBodyChunk End => new(ReadOnlySequence<byte>.Empty, isEnd: true);

    /// <summary>Body bytes; empty on a bare end.</summary>
    public ReadOnlySequence<byte> Data { get; } = data;

    /// <summary>True when no body bytes follow; trailers, if any, are in <see cref="IHttpBodySource.Trailers"/>.</summary>
    public bool IsEnd { get; } = isEnd;
}
