namespace Meshy.Filters.Http1;

/// <summary>
/// The body length of a message as decided by RFC 9112 §6.3: a kind and, for
/// <see cref="Http1BodyKind.ContentLength"/>, the number of bytes.
/// </summary>
/// <param name="Kind">How the body is delimited.</param>
/// <param name="Length">The body length for <see cref="Http1BodyKind.ContentLength"/>; 0 otherwise.</param>
internal readonly record struct Http1BodyFraming(Http1BodyKind Kind, long Length)
{
    /// <summary>No body.</summary>
    public static Http1BodyFraming None => new(Http1BodyKind.None, 0);

    /// <summary>A chunked body.</summary>
    public static Http1BodyFraming Chunked => new(Http1BodyKind.Chunked, 0);

    /// <summary>A body that ends when the connection closes.</summary>
    public static Http1BodyFraming UntilClose => new(Http1BodyKind.UntilClose, 0);

    /// <summary>A tunnel after CONNECT.</summary>
    public static Http1BodyFraming Tunnel => new(Http1BodyKind.Tunnel, 0);

    /// <summary>A body of exactly <paramref name="length"/> bytes.</summary>
    public static Http1BodyFraming FromContentLength(long length) => new(Http1BodyKind.ContentLength, length);
}
