using System.Buffers;
using System.Text;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Frames;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http2;

/// <summary>Helpers shared by the HTTP/2 codec tests.</summary>
internal static class Http2TestBytes
{
    /// <summary>Bytes from hex with any whitespace (the RFC's notation: <c>8286 8441</c>).</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c))));

    /// <summary>ASCII bytes.</summary>
    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>What <paramref name="write"/> writes.</summary>
    public static byte[] Written(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A raw frame: header fields as given (no validation), then the payload.</summary>
    public static byte[] Frame(Http2FrameType type, Http2FrameFlags flags, int streamId, params byte[] payload)
    {
        var bytes = new byte[Http2FrameHeader.Size + payload.Length];
        new Http2FrameHeader(payload.Length, type, flags, streamId).Write(bytes);
        payload.CopyTo(bytes, Http2FrameHeader.Size);
        return bytes;
    }

    /// <summary>Reads every frame of <paramref name="bytes"/> in <paramref name="shape"/>; the bytes must end on a frame boundary.</summary>
    public static List<(Http2Frame Frame, byte[] Payload, byte[] Content)> ReadAll(Http2FrameReader reader, byte[] bytes, SequenceShapes.Shape shape)
    {
        var frames = new List<(Http2Frame, byte[], byte[])>();
        var sequenceReader = new SequenceReader<byte>(SequenceShapes.Create(bytes, shape));
        while (reader.TryReadFrame(ref sequenceReader, out Http2Frame frame))
        {
            frames.Add((frame, frame.Payload.ToArray(), frame.Content.ToArray()));
        }
        Assert.Equal(0, sequenceReader.Remaining);
        return frames;
    }

    /// <summary>Reads one frame that must be complete in <paramref name="bytes"/>.</summary>
    public static Http2Frame ReadOne(Http2FrameReader reader, byte[] bytes, SequenceShapes.Shape shape)
    {
        var sequenceReader = new SequenceReader<byte>(SequenceShapes.Create(bytes, shape));
        Assert.True(reader.TryReadFrame(ref sequenceReader, out Http2Frame frame));
        return frame;
    }

    /// <summary>The error the reader throws for <paramref name="bytes"/>.</summary>
    public static Http2Error ReadError(Http2FrameReader reader, byte[] bytes, SequenceShapes.Shape shape)
    {
        var exception = Assert.Throws<Http2ProtocolException>(() =>
        {
            var sequenceReader = new SequenceReader<byte>(SequenceShapes.Create(bytes, shape));
            while (reader.TryReadFrame(ref sequenceReader, out _))
            {
            }
        });
        return exception.Error;
    }
}
