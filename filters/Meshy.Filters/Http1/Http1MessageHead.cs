namespace Meshy.Filters.Http1;

/// <summary>
/// What request and response heads share: the version, the field lines, and the framing and
/// connection facts the parser derived from the known fields (RFC 9112 §6, §9). One instance per
/// connection, reused for every message: the parser resets it before each parse.
/// </summary>
internal abstract class Http1MessageHead : IDisposable
{
    private protected Http1MessageHead()
    {
    }

    /// <summary>The field lines, and the raw head bytes they point into.</summary>
    public Http1HeaderStore Headers { get; } = new();

    /// <summary>HTTP/1.0 or HTTP/1.1.</summary>
    public Http1Version Version { get; internal set; }

    /// <summary>The bytes the head took in the input (start line to the final CRLF, empty lines before a request-line included).</summary>
    public int HeadLength { get; internal set; }

    /// <summary>The Content-Length value, or -1 when there is none (RFC 9110 §8.6).</summary>
    public long ContentLength { get; internal set; } = -1;

    /// <summary>True when a Transfer-Encoding field is present (RFC 9112 §6.1).</summary>
    public bool HasTransferEncoding { get; internal set; }

    /// <summary>True when the final transfer coding is chunked, so the body is chunked (RFC 9112 §6.3 rule 4).</summary>
    public bool IsChunked { get; internal set; }

    /// <summary>The tokens of the Connection fields.</summary>
    public Http1ConnectionOptions ConnectionOptions { get; internal set; }

    /// <summary>
    /// True when the connection persists after this message (RFC 9112 §9.3): HTTP/1.1 unless
    /// <c>close</c>; HTTP/1.0 only with <c>keep-alive</c> and without <c>close</c>.
    /// </summary>
    public bool KeepAlive => Version == Http1Version.Http11
        ? (ConnectionOptions & Http1ConnectionOptions.Close) == 0
        : (ConnectionOptions & (Http1ConnectionOptions.Close | Http1ConnectionOptions.KeepAlive)) == Http1ConnectionOptions.KeepAlive;

    /// <summary>True once a chunked coding was seen, so a second one can be refused (RFC 9112 §6.1).</summary>
    internal bool ChunkedSeen { get; set; }

    /// <summary>Forgets the previous message; keeps the buffers.</summary>
    public virtual void Reset()
    {
        Headers.Clear();
        Version = Http1Version.Http11;
        HeadLength = 0;
        ContentLength = -1;
        HasTransferEncoding = false;
        IsChunked = false;
        ChunkedSeen = false;
        ConnectionOptions = Http1ConnectionOptions.None;
    }

    /// <summary>Returns the pooled buffer.</summary>
    public void Dispose() => Headers.Dispose();
}
