namespace Meshy.Filters.Http2.Client;

/// <summary>
/// The upstream reset an HTTP/2 stream (RST_STREAM, RFC 9113 §6.4) or never processed it (GOAWAY, §6.8).
/// An <see cref="IOException"/>, so the router treats it as it treats a reset HTTP/1.1 connection (<c>UR</c>).
/// </summary>
internal sealed class Http2StreamResetException(Http2ErrorCode code, string message) : IOException(message)
{
    /// <summary>The RST_STREAM or GOAWAY error code.</summary>
    public Http2ErrorCode Code { get; } = code;
}
