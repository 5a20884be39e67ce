using System.Buffers.Binary;

namespace Meshy.Filters.Http2.Frames;

/// <summary>
/// The 9-byte header every frame starts with (RFC 9113 §4.1).
/// <code>
///   +-----------------------------------------------+
///   |                 Length (24)                   |   payload bytes after this header
///   +---------------+---------------+---------------+
///   |   Type (8)    |   Flags (8)   |
///   +-+-------------+---------------+-------------------------------+
///   |R|                 Stream Identifier (31)                      |   R: reserved, ignored on receipt
///   +=+=============================================================+
///   |                   Frame Payload (0...)                      ...
///   +---------------------------------------------------------------+
/// </code>
/// </summary>
internal readonly record struct Http2FrameHeader(int Length, Http2FrameType Type, Http2FrameFlags Flags, int StreamId)
{
    /// <summary>The size of a frame header.</summary>
    public const int Size = 9;

    /// <summary>True when every bit of <paramref name="flag"/> is set.</summary>
    public bool HasFlag(Http2FrameFlags flag) => (Flags & flag) == flag;

    /// <summary>Reads a header from the first 9 bytes of <paramref name="source"/>; the reserved bit is dropped.</summary>
    public static Http2FrameHeader Read(ReadOnlySpan<byte> source)
    {
        int length = (source[0] << 16) | (source[1] << 8) | source[2];
        int streamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(source[5..]) & 0x7fff_ffffu);
        return new Http2FrameHeader(length, (Http2FrameType)source[3], (Http2FrameFlags)source[4], streamId);
    }

    /// <summary>Writes this header to the first 9 bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        if ((uint)Length > Http2Settings.MaxMaxFrameSize)
        {
            throw new ArgumentOutOfRangeException(nameof(Length), Length, "a frame payload is at most 2^24-1 bytes");
        }
        if (StreamId < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(StreamId), StreamId, "stream identifiers are 31-bit");
        }
        destination = destination[..Size];
        destination[0] = (byte)(Length >> 16);
        destination[1] = (byte)(Length >> 8);
        destination[2] = (byte)Length;
        destination[3] = (byte)Type;
        destination[4] = (byte)Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)StreamId);
    }
}
