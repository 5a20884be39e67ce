using System.Buffers;
using System.Buffers.Binary;

namespace Meshy.Filters.Http2.Frames;

/// <summary>
/// Writes HTTP/2 frames (RFC 9113 §6) into an <see cref="IBufferWriter{T}"/>, one
/// <c>GetSpan</c>/<c>Advance</c> per frame. DATA is the exception: only its 9-byte header is written
/// here, and the connection sends the payload from the buffer it already lies in, so bodies are
/// never copied by the codec.
/// </summary>
internal static class Http2FrameWriter
{
    /// <summary>
    /// Writes the header of a DATA frame carrying <paramref name="length"/> bytes (≤ the peer's
    /// SETTINGS_MAX_FRAME_SIZE, within the flow-control windows); the caller sends those bytes next.
    /// </summary>
    public static void WriteDataHeader(Span<byte> destination, int streamId, int length, bool endStream)
    {
        RequireStream(streamId);
        new Http2FrameHeader(length, Http2FrameType.Data, endStream ? Http2FrameFlags.EndStream : Http2FrameFlags.None, streamId)
            .Write(destination);
    }

    /// <inheritdoc cref="WriteDataHeader(Span{byte}, int, int, bool)"/>
    public static void WriteDataHeader(IBufferWriter<byte> output, int streamId, int length, bool endStream)
    {
        WriteDataHeader(output.GetSpan(Http2FrameHeader.Size), streamId, length, endStream);
        output.Advance(Http2FrameHeader.Size);
    }

    /// <summary>
    /// Writes a field block as one HEADERS frame followed by as many CONTINUATION frames as
    /// <paramref name="maxFrameSize"/> (the peer's SETTINGS_MAX_FRAME_SIZE) requires (§4.3, §6.10);
    /// END_HEADERS goes on the last one, END_STREAM on the HEADERS frame.
    /// </summary>
    public static void WriteHeaders(IBufferWriter<byte> output, int streamId, ReadOnlySpan<byte> fieldBlock, bool endStream,
        int maxFrameSize, Http2Priority? priority = null)
    {
        RequireStream(streamId);
        CheckMaxFrameSize(maxFrameSize);
        int prefixLength = priority is null ? 0 : Http2Priority.Length;
        int firstLength = Math.Min(fieldBlock.Length, maxFrameSize - prefixLength);
        Http2FrameFlags flags = (endStream ? Http2FrameFlags.EndStream : Http2FrameFlags.None)
            | (firstLength == fieldBlock.Length ? Http2FrameFlags.EndHeaders : Http2FrameFlags.None)
            | (priority is null ? Http2FrameFlags.None : Http2FrameFlags.Priority);
        Span<byte> span = output.GetSpan(Http2FrameHeader.Size + prefixLength + firstLength);
        new Http2FrameHeader(prefixLength + firstLength, Http2FrameType.Headers, flags, streamId).Write(span);
        if (priority is { } fields)
        {
            WritePriorityFields(span[Http2FrameHeader.Size..], fields);
        }
        fieldBlock[..firstLength].CopyTo(span[(Http2FrameHeader.Size + prefixLength)..]);
        output.Advance(Http2FrameHeader.Size + prefixLength + firstLength);
        WriteContinuations(output, streamId, fieldBlock[firstLength..], maxFrameSize);
    }

    /// <summary>
    /// Writes a PUSH_PROMISE reserving <paramref name="promisedStreamId"/>, split into CONTINUATION
    /// frames like <see cref="WriteHeaders"/> (§6.6). Meshy does not push; this exists for tests and completeness.
    /// </summary>
    public static void WritePushPromise(IBufferWriter<byte> output, int streamId, int promisedStreamId, ReadOnlySpan<byte> fieldBlock,
        int maxFrameSize)
    {
        RequireStream(streamId);
        RequireStream(promisedStreamId);
        CheckMaxFrameSize(maxFrameSize);
        int firstLength = Math.Min(fieldBlock.Length, maxFrameSize - 4);
        Http2FrameFlags flags = firstLength == fieldBlock.Length ? Http2FrameFlags.EndHeaders : Http2FrameFlags.None;
        Span<byte> span = output.GetSpan(Http2FrameHeader.Size + 4 + firstLength);
        new Http2FrameHeader(4 + firstLength, Http2FrameType.PushPromise, flags, streamId).Write(span);
        BinaryPrimitives.WriteUInt32BigEndian(span[Http2FrameHeader.Size..], (uint)promisedStreamId);
        fieldBlock[..firstLength].CopyTo(span[(Http2FrameHeader.Size + 4)..]);
        output.Advance(Http2FrameHeader.Size + 4 + firstLength);
        WriteContinuations(output, streamId, fieldBlock[firstLength..], maxFrameSize);
    }

    /// <summary>Writes a PRIORITY frame (§6.3).</summary>
    public static void WritePriority(IBufferWriter<byte> output, int streamId, Http2Priority priority)
    {
        RequireStream(streamId);
        Span<byte> span = output.GetSpan(Http2FrameHeader.Size + Http2Priority.Length);
        new Http2FrameHeader(Http2Priority.Length, Http2FrameType.Priority, Http2FrameFlags.None, streamId).Write(span);
        WritePriorityFields(span[Http2FrameHeader.Size..], priority);
        output.Advance(Http2FrameHeader.Size + Http2Priority.Length);
    }

    /// <summary>Writes RST_STREAM with <paramref name="code"/> (§6.4).</summary>
    public static void WriteRstStream(IBufferWriter<byte> output, int streamId, Http2ErrorCode code)
    {
        RequireStream(streamId);
        Span<byte> span = output.GetSpan(Http2FrameHeader.Size + 4);
        new Http2FrameHeader(4, Http2FrameType.RstStream, Http2FrameFlags.None, streamId).Write(span);
        BinaryPrimitives.WriteUInt32BigEndian(span[Http2FrameHeader.Size..], (uint)code);
        output.Advance(Http2FrameHeader.Size + 4);
    }

    /// <summary>Writes a SETTINGS frame with <paramref name="parameters"/> in order (§6.5); none is valid.</summary>
    public static void WriteSettings(IBufferWriter<byte> output, ReadOnlySpan<Http2Setting> parameters)
    {
        int length = parameters.Length * 6;
        Span<byte> span = output.GetSpan(Http2FrameHeader.Size + length);
        new Http2FrameHeader(length, Http2FrameType.Settings, Http2FrameFlags.None, 0).Write(span);
        Span<byte> body = span[Http2FrameHeader.Size..];
        foreach (Http2Setting parameter in parameters)
        {
            BinaryPrimitives.WriteUInt16BigEndian(body, (ushort)parameter.Id);
            BinaryPrimitives.WriteUInt32BigEndian(body[2..], parameter.Value);
            body = body[6..];
        }
        output.Advance(Http2FrameHeader.Size + length);
    }

    /// <summary>Writes the empty SETTINGS frame with ACK that acknowledges the peer's settings (§6.5.3).</summary>
    public static void WriteSettingsAck(IBufferWriter<byte> output)
    {
        new Http2FrameHeader(0, Http2FrameType.Settings, Http2FrameFlags.Ack, 0).Write(output.GetSpan(Http2FrameHeader.Size));
        output.Advance(Http2FrameHeader.Size);
    }

    /// <summary>Writes a PING, or its answer with <paramref name="ack"/> and the same data (§6.7).</summary>
    public static void WritePing(IBufferWriter<byte> output, ulong data, bool ack)
    {
        Span<byte> span = output.GetSpan(Http2FrameHeader.Size + 8);
        new Http2FrameHeader(8, Http2FrameType.Ping, ack ? Http2FrameFlags.Ack : Http2FrameFlags.None, 0).Write(span);
        BinaryPrimitives.WriteUInt64BigEndian(span[Http2FrameHeader.Size..], data);
        output.Advance(Http2FrameHeader.Size + 8);
    }

    /// <summary>Writes GOAWAY (§6.8); <paramref name="debugData"/> must fit the peer's maximum frame size less 8.</summary>
    public static void WriteGoAway(IBufferWriter<byte> output, int lastStreamId, Http2ErrorCode code, ReadOnlySpan<byte> debugData)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lastStreamId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(debugData.Length, Http2Settings.MinMaxFrameSize - 8);
        int length = 8 + debugData.Length;
        Span<byte> span = output.GetSpan(Http2FrameHeader.Size + length);
        new Http2FrameHeader(length, Http2FrameType.GoAway, Http2FrameFlags.None, 0).Write(span);
        BinaryPrimitives.WriteUInt32BigEndian(span[Http2FrameHeader.Size..], (uint)lastStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(span[(Http2FrameHeader.Size + 4)..], (uint)code);
        debugData.CopyTo(span[(Http2FrameHeader.Size + 8)..]);
        output.Advance(Http2FrameHeader.Size + length);
    }

    /// <summary>Writes WINDOW_UPDATE for <paramref name="streamId"/> (0 = the connection), increment 1..2^31-1 (§6.9).</summary>
    public static void WriteWindowUpdate(IBufferWriter<byte> output, int streamId, int increment)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(streamId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(increment);
        Span<byte> span = output.GetSpan(Http2FrameHeader.Size + 4);
        new Http2FrameHeader(4, Http2FrameType.WindowUpdate, Http2FrameFlags.None, streamId).Write(span);
        BinaryPrimitives.WriteUInt32BigEndian(span[Http2FrameHeader.Size..], (uint)increment);
        output.Advance(Http2FrameHeader.Size + 4);
    }

    private static void WriteContinuations(IBufferWriter<byte> output, int streamId, ReadOnlySpan<byte> rest, int maxFrameSize)
    {
        while (!rest.IsEmpty)
        {
            int length = Math.Min(rest.Length, maxFrameSize);
            Http2FrameFlags flags = length == rest.Length ? Http2FrameFlags.EndHeaders : Http2FrameFlags.None;
            Span<byte> span = output.GetSpan(Http2FrameHeader.Size + length);
            new Http2FrameHeader(length, Http2FrameType.Continuation, flags, streamId).Write(span);
            rest[..length].CopyTo(span[Http2FrameHeader.Size..]);
            output.Advance(Http2FrameHeader.Size + length);
            rest = rest[length..];
        }
    }

    private static void WritePriorityFields(Span<byte> destination, Http2Priority priority)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(priority.StreamDependency);
        ArgumentOutOfRangeException.ThrowIfLessThan(priority.Weight, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(priority.Weight, 256);
        uint dependency = (uint)priority.StreamDependency | (priority.Exclusive ? 0x8000_0000u : 0u);
        BinaryPrimitives.WriteUInt32BigEndian(destination, dependency);
        destination[4] = (byte)(priority.Weight - 1);
    }

    private static void RequireStream(int streamId) => ArgumentOutOfRangeException.ThrowIfNegativeOrZero(streamId);

    private static void CheckMaxFrameSize(int maxFrameSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameSize, Http2Settings.MinMaxFrameSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxFrameSize, Http2Settings.MaxMaxFrameSize);
    }
}
