namespace Meshy.Filters.Http2;

/// <summary>The error codes of RST_STREAM and GOAWAY frames (RFC 9113 §7). Unknown codes are kept as numbers.</summary>
internal enum Http2ErrorCode : uint
{
    /// <summary>Graceful shutdown, or no error.</summary>
    NoError = 0x0,
    /// <summary>An unspecific protocol error.</summary>
    ProtocolError = 0x1,
    /// <summary>An unexpected internal error.</summary>
    InternalError = 0x2,
    /// <summary>The peer broke the flow-control protocol.</summary>
    FlowControlError = 0x3,
    /// <summary>A SETTINGS frame was not acknowledged in time.</summary>
    SettingsTimeout = 0x4,
    /// <summary>A frame arrived on a half-closed stream.</summary>
    StreamClosed = 0x5,
    /// <summary>A frame had an invalid size.</summary>
    FrameSizeError = 0x6,
    /// <summary>The stream was refused before any application processing.</summary>
    RefusedStream = 0x7,
    /// <summary>The stream is no longer needed.</summary>
    Cancel = 0x8,
    /// <summary>The field-compression context cannot be maintained.</summary>
    CompressionError = 0x9,
    /// <summary>The connection of a CONNECT request was reset or closed abnormally.</summary>
    ConnectError = 0xa,
    /// <summary>The peer is generating excessive load.</summary>
    EnhanceYourCalm = 0xb,
    /// <summary>The transport does not meet minimum security requirements.</summary>
    InadequateSecurity = 0xc,
    /// <summary>HTTP/1.1 must be used instead.</summary>
    Http11Required = 0xd,
}
