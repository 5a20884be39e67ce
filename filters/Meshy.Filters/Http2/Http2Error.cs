namespace Meshy.Filters.Http2;

/// <summary>
/// An HTTP/2 error found in the peer's bytes: the code to send, what it ends, the stream it ends (0
/// for a connection error) and a reason for logs and GOAWAY debug data. Messages are constant
/// strings, so creating one allocates nothing.
/// </summary>
internal readonly record struct Http2Error(Http2ErrorCode Code, Http2ErrorScope Scope, int StreamId, string Message)
{
    /// <summary>A connection error: GOAWAY with <paramref name="code"/>.</summary>
    public static Http2Error Connection(Http2ErrorCode code, string message) => new(code, Http2ErrorScope.Connection, 0, message);

    /// <summary>A stream error: RST_STREAM of <paramref name="streamId"/> with <paramref name="code"/>.</summary>
    public static Http2Error Stream(Http2ErrorCode code, int streamId, string message) => new(code, Http2ErrorScope.Stream, streamId, message);

    /// <inheritdoc/>
    public override string ToString() => Scope == Http2ErrorScope.Connection
        ? $"{Code} (connection): {Message}"
        : $"{Code} (stream {StreamId}): {Message}";
}
