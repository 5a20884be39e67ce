namespace Meshy.Filters.Http1;

/// <summary>
/// Why bytes from a peer were rejected. Each value is one distinct defect, so a test (or a log line)
/// can tell smuggling attempts apart; <see cref="Http1ProtocolException.GetStatusCode"/> maps each to
/// the status a server answers a bad request with (400 unless noted).
/// </summary>
internal enum Http1ParseError : byte
{
    None = 0,

    // Start line (RFC 9112 §3, §4)

    /// <summary>The request-line is not <c>method SP request-target SP HTTP-version</c>.</summary>
    InvalidRequestLine,

    /// <summary>The method contains a byte that is not a tchar (RFC 9110 §9.1).</summary>
    InvalidMethod,

    /// <summary>The request-target has a space, CTL, non-ASCII byte or '#', or its form does not fit the method (RFC 9112 §3.2).</summary>
    InvalidRequestTarget,

    /// <summary>The version is not <c>HTTP/DIGIT.DIGIT</c> (RFC 9112 §2.3).</summary>
    InvalidVersion,

    /// <summary>A well-formed version other than 1.0 and 1.1: 505.</summary>
    UnsupportedVersion,

    /// <summary>The status-line is not <c>HTTP-version SP 3DIGIT SP reason</c>, or the code is outside 100–599 (RFC 9112 §4).</summary>
    InvalidStatusLine,

    /// <summary>The start line is longer than <see cref="Http1Limits.MaxRequestLineLength"/>: 414.</summary>
    StartLineTooLong,

    // Line structure (RFC 9112 §2.2)

    /// <summary>A CR that is not immediately followed by LF.</summary>
    BareCr,

    /// <summary>A line ended by LF alone instead of CRLF.</summary>
    BareLf,

    // Field lines (RFC 9112 §5)

    /// <summary>A field line starting with SP or HTAB: obsolete line folding (§5.2).</summary>
    ObsFold,

    /// <summary>Whitespace between the start line and the first field line (§2.2).</summary>
    WhitespaceAfterStartLine,

    /// <summary>Whitespace between a field name and its colon (§5.1).</summary>
    WhitespaceBeforeColon,

    /// <summary>A field name that is empty or contains a byte that is not a tchar (RFC 9110 §5.1).</summary>
    InvalidFieldName,

    /// <summary>A field line without a colon.</summary>
    MissingColon,

    /// <summary>A field value with a CTL other than HTAB, or DEL (RFC 9110 §5.5).</summary>
    InvalidFieldValue,

    /// <summary>The field lines exceed <see cref="Http1Limits.MaxHeaderSectionLength"/>: 431.</summary>
    HeaderSectionTooLarge,

    /// <summary>More field lines than <see cref="Http1Limits.MaxHeaderCount"/>: 431.</summary>
    TooManyHeaders,

    // Framing (RFC 9112 §6, RFC 9110 §8.6)

    /// <summary>A Content-Length that is not a list of decimal numbers, or overflows a 64-bit length.</summary>
    InvalidContentLength,

    /// <summary>Content-Length values that differ (identical repeats are accepted, RFC 9110 §8.6).</summary>
    ConflictingContentLength,

    /// <summary>Both Content-Length and Transfer-Encoding (RFC 9112 §6.3 rule 3: a smuggling signal).</summary>
    ContentLengthWithTransferEncoding,

    /// <summary>A Transfer-Encoding with no coding, or a coding that is not a token.</summary>
    InvalidTransferEncoding,

    /// <summary>A request whose final transfer coding is not chunked (RFC 9112 §6.3 rule 4).</summary>
    ChunkedNotLast,

    /// <summary>chunked applied more than once (RFC 9112 §6.1).</summary>
    ChunkedAppliedTwice,

    /// <summary>Transfer-Encoding in an HTTP/1.0 message: faulty framing (RFC 9112 §6.1).</summary>
    TransferEncodingInHttp10,

    // Host (RFC 9112 §3.2)

    /// <summary>An HTTP/1.1 request without Host.</summary>
    MissingHost,

    /// <summary>More than one Host field line.</summary>
    MultipleHost,

    /// <summary>A Host value that is not <c>uri-host [ ":" port ]</c>.</summary>
    InvalidHost,

    /// <summary>An absolute-form target whose authority differs from Host.</summary>
    HostMismatch,

    // Chunked transfer coding (RFC 9112 §7.1)

    /// <summary>A chunk-size line that does not start with hex digits, or has junk after them.</summary>
    InvalidChunkSize,

    /// <summary>A chunk size that does not fit a 63-bit length.</summary>
    ChunkSizeOverflow,

    /// <summary>A chunk extension that is not <c>; token [ = ( token / quoted-string ) ]</c> (§7.1.1).</summary>
    InvalidChunkExtension,

    /// <summary>A chunk-size line longer than <see cref="Http1Limits.MaxChunkLineLength"/>.</summary>
    ChunkLineTooLong,

    /// <summary>chunk-data not followed by CRLF: the chunk is longer than its size.</summary>
    InvalidChunkDataTerminator,
}
