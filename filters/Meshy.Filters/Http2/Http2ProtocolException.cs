using System.Diagnostics.CodeAnalysis;

namespace Meshy.Filters.Http2;

/// <summary>
/// An HTTP/2 protocol violation by the peer (frames, flow control or HPACK). A connection error
/// ends the connection with GOAWAY(<see cref="Http2Error.Code"/>); a stream error resets only
/// <see cref="Http2Error.StreamId"/>.
/// </summary>
internal sealed class Http2ProtocolException : Exception
{
    public Http2ProtocolException(Http2Error error)
        : base(error.ToString())
    {
        Error = error;
    }

    /// <summary>The code, scope, stream and reason.</summary>
    public Http2Error Error { get; }

    /// <summary>The code to send in GOAWAY or RST_STREAM.</summary>
    public Http2ErrorCode Code => Error.Code;

    /// <summary>Whether the connection or only <see cref="StreamId"/> ends.</summary>
    public Http2ErrorScope Scope => Error.Scope;

    /// <summary>The stream a stream error resets; 0 for a connection error.</summary>
    public int StreamId => Error.StreamId;

    /// <summary>Throws a connection error; kept out of line so parsing loops stay small.</summary>
    [DoesNotReturn]
    public static void ThrowConnectionError(Http2ErrorCode code, string message) =>
        throw new Http2ProtocolException(Http2Error.Connection(code, message));

    /// <summary>Throws a stream error.</summary>
    [DoesNotReturn]
    public static void ThrowStreamError(Http2ErrorCode code, int streamId, string message) =>
        throw new Http2ProtocolException(Http2Error.Stream(code, streamId, message));

    /// <summary>Throws <paramref name="error"/>.</summary>
    [DoesNotReturn]
    public static void Throw(Http2Error error) => throw new Http2ProtocolException(error);
}
