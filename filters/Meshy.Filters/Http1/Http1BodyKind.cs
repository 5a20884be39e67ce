namespace Meshy.Filters.Http1;

/// <summary>How the body of a message is delimited (RFC 9112 §6.3).</summary>
internal enum Http1BodyKind : byte
{
    /// <summary>No body by rule (HEAD, 1xx, 204, 304, or a request without framing fields).</summary>
    None,

    /// <summary>Exactly <see cref="Http1BodyFraming.Length"/> bytes follow (which may be zero).</summary>
    ContentLength,

    /// <summary>The chunked transfer coding; decode with <see cref="Http1ChunkedDecoder"/>.</summary>
    Chunked,

    /// <summary>A response whose body ends when the upstream closes the connection (§6.3 rules 4 and 8).</summary>
    UntilClose,

    /// <summary>A 2xx answer to CONNECT: the connection becomes a tunnel (§6.3 rule 2).</summary>
    Tunnel,
}
