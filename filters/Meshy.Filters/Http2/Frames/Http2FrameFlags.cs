namespace Meshy.Filters.Http2.Frames;

/// <summary>Frame flags (RFC 9113 §6); which apply depends on the frame type, the others are ignored.</summary>
[Flags]
internal enum Http2FrameFlags : byte
{
    None = 0x0,
    /// <summary>DATA, HEADERS: the sender's last frame on the stream.</summary>
    EndStream = 0x1,
    /// <summary>SETTINGS, PING: an acknowledgement (same bit as <see cref="EndStream"/>).</summary>
    Ack = 0x1,
    /// <summary>HEADERS, PUSH_PROMISE, CONTINUATION: the field block ends in this frame.</summary>
    EndHeaders = 0x4,
    /// <summary>DATA, HEADERS, PUSH_PROMISE: a pad length byte and padding surround the content.</summary>
    Padded = 0x8,
    /// <summary>HEADERS: the stream dependency and weight precede the field block fragment.</summary>
    Priority = 0x20,
}
