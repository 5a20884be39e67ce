using System.Buffers;

namespace Meshy.Filters.Http2.Frames;

/// <summary>
/// One frame read by <see cref="Http2FrameReader"/>: its header, its payload as a slice of the
/// received bytes (never copied), and the fields of its type already decoded. Valid until the
/// caller advances its pipe past the frame. Fields that do not apply to <see cref="Type"/> are default.
/// </summary>
internal readonly struct Http2Frame
{
    /// <summary>The frame header.</summary>
    public Http2FrameHeader Header { get; init; }

    /// <summary>The whole payload, padding and fixed fields included (what DATA flow control counts, RFC 9113 §6.9.1).</summary>
    public ReadOnlySequence<byte> Payload { get; init; }

    /// <summary>
    /// The variable part, without padding and fixed fields: the data of DATA, the field block fragment
    /// of HEADERS, PUSH_PROMISE and CONTINUATION, the additional debug data of GOAWAY; empty otherwise.
    /// </summary>
    public ReadOnlySequence<byte> Content { get; init; }

    /// <summary>The Pad Length of a PADDED frame, 0 otherwise.</summary>
    public int PadLength { get; init; }

    /// <summary>The priority fields of PRIORITY, and of HEADERS with the PRIORITY flag.</summary>
    public Http2Priority? Priority { get; init; }

    /// <summary>PUSH_PROMISE: the stream the server reserves.</summary>
    public int PromisedStreamId { get; init; }

    /// <summary>RST_STREAM and GOAWAY: the error code (unknown codes kept as numbers, §7).</summary>
    public Http2ErrorCode ErrorCode { get; init; }

    /// <summary>GOAWAY: the highest stream the sender may have processed.</summary>
    public int LastStreamId { get; init; }

    /// <summary>PING: the 8 opaque bytes, big-endian.</summary>
    public ulong PingData { get; init; }

    /// <summary>WINDOW_UPDATE: the increment, 1..2^31-1 (0 only with <see cref="StreamError"/> set).</summary>
    public int WindowIncrement { get; init; }

    /// <summary>
    /// A stream error found in this frame (RFC 9113 §5.4.2): the connection resets the stream and goes
    /// on. For HEADERS the field block must still go through the HPACK decoder first, to keep the
    /// compression state in sync. Connection errors are thrown by the reader instead.
    /// </summary>
    public Http2Error? StreamError { get; init; }

    /// <summary>The frame type (possibly one this code does not know: ignore it).</summary>
    public Http2FrameType Type => Header.Type;

    /// <summary>The stream, 0 for the connection.</summary>
    public int StreamId => Header.StreamId;

    /// <summary>The flags as received.</summary>
    public Http2FrameFlags Flags => Header.Flags;

    /// <summary>DATA, HEADERS: END_STREAM.</summary>
    public bool EndStream => Type is Http2FrameType.Data or Http2FrameType.Headers && Header.HasFlag(Http2FrameFlags.EndStream);

    /// <summary>HEADERS, PUSH_PROMISE, CONTINUATION: END_HEADERS (the field block is complete).</summary>
    public bool EndHeaders => Type is Http2FrameType.Headers or Http2FrameType.PushPromise or Http2FrameType.Continuation
        && Header.HasFlag(Http2FrameFlags.EndHeaders);

    /// <summary>SETTINGS, PING: ACK.</summary>
    public bool IsAck => Type is Http2FrameType.Settings or Http2FrameType.Ping && Header.HasFlag(Http2FrameFlags.Ack);
}
