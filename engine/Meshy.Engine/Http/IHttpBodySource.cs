namespace Meshy.Engine.Http;

/// <summary>
/// A body being received (a request body from the client, a response body from the upstream),
/// handed out in the buffers it arrived in so it can be forwarded without a copy.
/// </summary>
/// <remarks>
/// Calling pattern, one reader at a time:
/// <code>
///   while (true)
///   {
///       HttpBodyChunk chunk = await body.ReadAsync(ct);   // framing already removed
///       await sink.SendAsync(chunk.Data, ct);             // the bytes are still in the receive buffer
///       body.Advance();                                   // now they may be released
///       if (chunk.IsEnd) { break; }                       // trailers: body.Trailers
///   }
/// </code>
/// A source throws on malformed framing or when the peer ends the stream before the body's end.
/// </remarks>
public interface IHttpBodySource
{
    /// <summary>The next body bytes, or the end. Must be followed by <see cref="Advance"/> before the next read.</summary>
    ValueTask<HttpBodyChunk> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Releases the bytes of the last chunk.</summary>
    void Advance();

    /// <summary>True once the end was read.</summary>
    bool IsCompleted { get; }

    /// <summary>Trailer fields, once <see cref="IsCompleted"/>, when the message had any; null otherwise.</summary>
    HttpHeaderList? Trailers { get; }
}
