using System.Buffers.Binary;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Frames;

namespace Meshy.Filters.Tests.Http2Proxy;

/// <summary>A frame received by <see cref="RawHttp2Connection"/>.</summary>
internal sealed record RawFrame(Http2FrameType Type, Http2FrameFlags Flags, int StreamId, byte[] Payload)
{
    /// <summary>HEADERS: the decoded fields (decoded on arrival, so the HPACK state follows the wire order).</summary>
    public List<(string Name, string Value)> Fields { get; init; } = [];

    public bool Has(Http2FrameFlags flag) => (Flags & flag) == flag;

    /// <summary>RST_STREAM's code, or GOAWAY's.</summary>
    public Http2ErrorCode ErrorCode => (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(Type == Http2FrameType.GoAway ? Payload.AsSpan(4) : Payload);

    public int LastStreamId => (int)(BinaryPrimitives.ReadUInt32BigEndian(Payload) & 0x7fff_ffff);
}
