using System.Diagnostics.CodeAnalysis;

namespace Meshy.Filters.Http1;

/// <summary>
/// Malformed HTTP/1 bytes from a peer. The connection answers <see cref="StatusCode"/> (for a
/// request; a malformed upstream response becomes 502) and closes: after a framing error the next
/// message boundary is unknown (RFC 9112 §2.2, §11.2).
/// </summary>
internal sealed class Http1ProtocolException : Exception
{
    public Http1ProtocolException(Http1ParseError reason)
        : base(Describe(reason))
    {
        Reason = reason;
    }

    /// <summary>The defect.</summary>
    public Http1ParseError Reason { get; }

    /// <summary>The status a server answers the request with.</summary>
    public int StatusCode => GetStatusCode(Reason);

    /// <summary>400, except: start line too long 414, header section too large or too many fields 431, unsupported version 505.</summary>
    public static int GetStatusCode(Http1ParseError reason) => reason switch
    {
        Http1ParseError.StartLineTooLong => 414,                        // RFC 9110 §15.5.15
        Http1ParseError.HeaderSectionTooLarge => 431,                   // RFC 6585 §5
        Http1ParseError.TooManyHeaders => 431,
        Http1ParseError.UnsupportedVersion => 505,                      // RFC 9110 §15.6.6
        _ => 400,
    };

    /// <summary>Throws for <paramref name="reason"/>; kept out of line so parsing loops stay small.</summary>
    [DoesNotReturn]
    public static void Throw(Http1ParseError reason) => throw new Http1ProtocolException(reason);

    private static string Describe(Http1ParseError reason) => reason switch
    {
        Http1ParseError.InvalidRequestLine => "malformed request line",
        Http1ParseError.InvalidMethod => "invalid byte in method",
        Http1ParseError.InvalidRequestTarget => "invalid request target",
        Http1ParseError.InvalidVersion => "malformed HTTP version",
        Http1ParseError.UnsupportedVersion => "HTTP version not supported",
        Http1ParseError.InvalidStatusLine => "malformed status line",
        Http1ParseError.StartLineTooLong => "start line too long",
        Http1ParseError.BareCr => "CR not followed by LF",
        Http1ParseError.BareLf => "line ended by LF without CR",
        Http1ParseError.ObsFold => "obsolete line folding",
        Http1ParseError.WhitespaceAfterStartLine => "whitespace before the first field line",
        Http1ParseError.WhitespaceBeforeColon => "whitespace between field name and colon",
        Http1ParseError.InvalidFieldName => "invalid field name",
        Http1ParseError.MissingColon => "field line without colon",
        Http1ParseError.InvalidFieldValue => "invalid byte in field value",
        Http1ParseError.HeaderSectionTooLarge => "header section too large",
        Http1ParseError.TooManyHeaders => "too many header fields",
        Http1ParseError.InvalidContentLength => "invalid Content-Length",
        Http1ParseError.ConflictingContentLength => "conflicting Content-Length values",
        Http1ParseError.ContentLengthWithTransferEncoding => "both Content-Length and Transfer-Encoding",
        Http1ParseError.InvalidTransferEncoding => "invalid Transfer-Encoding",
        Http1ParseError.ChunkedNotLast => "final transfer coding is not chunked",
        Http1ParseError.ChunkedAppliedTwice => "chunked applied more than once",
        Http1ParseError.TransferEncodingInHttp10 => "Transfer-Encoding in an HTTP/1.0 message",
        Http1ParseError.MissingHost => "missing Host",
        Http1ParseError.MultipleHost => "more than one Host",
        Http1ParseError.InvalidHost => "invalid Host",
        Http1ParseError.HostMismatch => "Host differs from the request-target authority",
        Http1ParseError.InvalidChunkSize => "invalid chunk size",
        Http1ParseError.ChunkSizeOverflow => "chunk size too large",
        Http1ParseError.InvalidChunkExtension => "invalid chunk extension",
        Http1ParseError.ChunkLineTooLong => "chunk size line too long",
        Http1ParseError.InvalidChunkDataTerminator => "chunk data not followed by CRLF",
        _ => "malformed HTTP/1 message",
    };
}
