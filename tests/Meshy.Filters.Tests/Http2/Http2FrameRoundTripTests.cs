using System.Buffers;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Frames;
using Meshy.Testing;
using static Meshy.Filters.Tests.Http2.Http2TestBytes;

namespace Meshy.Filters.Tests.Http2;

public sealed class Http2FrameRoundTripTests
{
    public static IEnumerable<object[]> Shapes => SequenceShapes.AllAsData;

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Data_HeaderWrittenBeforeCallersPayload_ReadsBackPayloadAndEndStream(SequenceShapes.Shape shape)
    {
        byte[] body = Ascii("hello, world");
        var header = new byte[Http2FrameHeader.Size];
        Http2FrameWriter.WriteDataHeader(header, streamId: 3, body.Length, endStream: true);

        var (frame, payload, content) = Assert.Single(ReadAll(new Http2FrameReader(isServer: true), [.. header, .. body], shape));

        Assert.Equal(Http2FrameType.Data, frame.Type);
        Assert.Equal(3, frame.StreamId);
        Assert.True(frame.EndStream);
        Assert.Equal(body, payload);
        Assert.Equal(body, content);
        Assert.Equal(0, frame.PadLength);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DataHeader_BufferWriterOverload_WritesTheSameNineBytes(SequenceShapes.Shape shape)
    {
        var span = new byte[Http2FrameHeader.Size];
        Http2FrameWriter.WriteDataHeader(span, 5, 100, endStream: false);

        byte[] written = Written(output => Http2FrameWriter.WriteDataHeader(output, 5, 100, endStream: false));

        Assert.Equal(span, written);
        var reader = new SequenceReader<byte>(SequenceShapes.Create(written, shape));
        Assert.False(new Http2FrameReader(isServer: true).TryReadFrame(ref reader, out _));     // payload not there yet
        Assert.Equal(0, reader.Consumed);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Data_Padded_ContentExcludesPadLengthAndPadding(SequenceShapes.Shape shape)
    {
        byte[] bytes = Frame(Http2FrameType.Data, Http2FrameFlags.Padded, 1, [3, (byte)'a', (byte)'b', 0, 0, 0]);

        Http2Frame frame = ReadOne(new Http2FrameReader(isServer: true), bytes, shape);

        Assert.Equal(3, frame.PadLength);
        Assert.Equal(Ascii("ab"), frame.Content.ToArray());
        Assert.Equal(6, frame.Payload.Length);                          // flow control counts all of it
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Headers_SmallBlockWithPriority_OneFrameWithEndHeaders(SequenceShapes.Shape shape)
    {
        byte[] block = Hex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d");
        var priority = new Http2Priority(StreamDependency: 1, Exclusive: true, Weight: 256);
        byte[] bytes = Written(output => Http2FrameWriter.WriteHeaders(output, 3, block, endStream: true, 16_384, priority));

        var (frame, _, content) = Assert.Single(ReadAll(new Http2FrameReader(isServer: true), bytes, shape));

        Assert.Equal(Http2FrameType.Headers, frame.Type);
        Assert.True(frame.EndStream);
        Assert.True(frame.EndHeaders);
        Assert.Equal(priority, frame.Priority);
        Assert.Null(frame.StreamError);
        Assert.Equal(block, content);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Headers_BlockLargerThanMaxFrameSize_SplitIntoContinuations(SequenceShapes.Shape shape)
    {
        byte[] block = new byte[40_000];
        new Random(7).NextBytes(block);
        byte[] bytes = Written(output => Http2FrameWriter.WriteHeaders(output, 5, block, endStream: false, 16_384));
        var reader = new Http2FrameReader(isServer: true);

        var frames = ReadAll(reader, bytes, shape);

        Assert.Equal([Http2FrameType.Headers, Http2FrameType.Continuation, Http2FrameType.Continuation], frames.Select(f => f.Frame.Type));
        Assert.Equal([16_384, 16_384, 40_000 - 32_768], frames.Select(f => f.Frame.Header.Length));
        Assert.Equal([false, false, true], frames.Select(f => f.Frame.EndHeaders));
        Assert.All(frames, f => Assert.Equal(5, f.Frame.StreamId));
        Assert.False(frames[0].Frame.EndStream);
        Assert.Equal(block, frames.SelectMany(f => f.Content).ToArray());
        Assert.Equal(0, reader.HeaderBlockStreamId);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Headers_PaddedWithPriority_ContentIsTheFragment(SequenceShapes.Shape shape)
    {
        byte[] bytes = Frame(Http2FrameType.Headers, Http2FrameFlags.Padded | Http2FrameFlags.Priority | Http2FrameFlags.EndHeaders, 7,
            [2, 0x80, 0, 0, 3, 15, 0x82, 0x84, 0, 0]);

        Http2Frame frame = ReadOne(new Http2FrameReader(isServer: true), bytes, shape);

        Assert.Equal(new Http2Priority(3, true, 16), frame.Priority);
        Assert.Equal(2, frame.PadLength);
        Assert.Equal(new byte[] { 0x82, 0x84 }, frame.Content.ToArray());
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void PushPromise_ClientAcceptingPush_ReadsPromisedStreamAndSplitsLikeHeaders(SequenceShapes.Shape shape)
    {
        byte[] block = new byte[20_000];
        new Random(3).NextBytes(block);
        byte[] bytes = Written(output => Http2FrameWriter.WritePushPromise(output, 1, 2, block, 16_384));
        var reader = new Http2FrameReader(isServer: false) { AcceptPushPromise = true };

        var frames = ReadAll(reader, bytes, shape);

        Assert.Equal([Http2FrameType.PushPromise, Http2FrameType.Continuation], frames.Select(f => f.Frame.Type));
        Assert.Equal(2, frames[0].Frame.PromisedStreamId);
        Assert.True(frames[1].Frame.EndHeaders);
        Assert.Equal(block, frames.SelectMany(f => f.Content).ToArray());
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Priority_RoundTrips(SequenceShapes.Shape shape)
    {
        var priority = new Http2Priority(StreamDependency: 9, Exclusive: false, Weight: 1);
        byte[] bytes = Written(output => Http2FrameWriter.WritePriority(output, 11, priority));

        Http2Frame frame = ReadOne(new Http2FrameReader(isServer: true), bytes, shape);

        Assert.Equal(Http2FrameType.Priority, frame.Type);
        Assert.Equal(11, frame.StreamId);
        Assert.Equal(priority, frame.Priority);
        Assert.Null(frame.StreamError);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void RstStream_RoundTripsErrorCode(SequenceShapes.Shape shape)
    {
        byte[] bytes = Written(output => Http2FrameWriter.WriteRstStream(output, 13, Http2ErrorCode.Cancel));

        Http2Frame frame = ReadOne(new Http2FrameReader(isServer: true), bytes, shape);

        Assert.Equal(Http2FrameType.RstStream, frame.Type);
        Assert.Equal(13, frame.StreamId);
        Assert.Equal(Http2ErrorCode.Cancel, frame.ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Settings_AnySetOfParameters_AppliesOverDefaults(SequenceShapes.Shape shape)
    {
        Http2Setting[] parameters =
        [
            new(Http2SettingId.HeaderTableSize, 0),
            new(Http2SettingId.EnablePush, 0),
            new(Http2SettingId.MaxConcurrentStreams, 100),
            new(Http2SettingId.InitialWindowSize, int.MaxValue),
            new(Http2SettingId.MaxFrameSize, 16_777_215),
            new(Http2SettingId.MaxHeaderListSize, 8192),
            new((Http2SettingId)0x99, 12345),                           // unknown: ignored
        ];
        byte[] bytes = Written(output => Http2FrameWriter.WriteSettings(output, parameters));

        Http2Frame frame = ReadOne(new Http2FrameReader(isServer: true), bytes, shape);
        Http2Settings applied = Http2Settings.Default.Apply(frame.Payload);

        Assert.Equal(Http2FrameType.Settings, frame.Type);
        Assert.False(frame.IsAck);
        Assert.Equal(new Http2Settings
        {
            HeaderTableSize = 0,
            EnablePush = false,
            MaxConcurrentStreams = 100,
            InitialWindowSize = int.MaxValue,
            MaxFrameSize = 16_777_215,
            MaxHeaderListSize = 8192,
        }, applied);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Settings_EmptyAndAck_RoundTrip(SequenceShapes.Shape shape)
    {
        byte[] bytes = [.. Written(output => Http2FrameWriter.WriteSettings(output, [])), .. Written(Http2FrameWriter.WriteSettingsAck)];

        var frames = ReadAll(new Http2FrameReader(isServer: false), bytes, shape);

        Assert.Equal([false, true], frames.Select(f => f.Frame.IsAck));
        Assert.All(frames, f => Assert.Equal(0, f.Frame.Header.Length));
        Assert.Equal(Http2Settings.Default, Http2Settings.Default.Apply(frames[0].Frame.Payload));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Ping_AndItsAck_CarryTheOpaqueData(SequenceShapes.Shape shape)
    {
        byte[] bytes = [.. Written(output => Http2FrameWriter.WritePing(output, 0x0102030405060708, ack: false)),
            .. Written(output => Http2FrameWriter.WritePing(output, ulong.MaxValue, ack: true))];

        var frames = ReadAll(new Http2FrameReader(isServer: true), bytes, shape);

        Assert.Equal([0x0102030405060708ul, ulong.MaxValue], frames.Select(f => f.Frame.PingData));
        Assert.Equal([false, true], frames.Select(f => f.Frame.IsAck));
        Assert.All(frames, f => Assert.False(f.Frame.EndStream));       // ACK shares the END_STREAM bit
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GoAway_RoundTripsLastStreamCodeAndDebugData(SequenceShapes.Shape shape)
    {
        byte[] bytes = Written(output => Http2FrameWriter.WriteGoAway(output, 41, Http2ErrorCode.EnhanceYourCalm, Ascii("slow down")));

        var (frame, _, content) = Assert.Single(ReadAll(new Http2FrameReader(isServer: true), bytes, shape));

        Assert.Equal(Http2FrameType.GoAway, frame.Type);
        Assert.Equal(41, frame.LastStreamId);
        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, frame.ErrorCode);
        Assert.Equal(Ascii("slow down"), content);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void WindowUpdate_OnStreamAndConnection_RoundTrip(SequenceShapes.Shape shape)
    {
        byte[] bytes = [.. Written(output => Http2FrameWriter.WriteWindowUpdate(output, 0, int.MaxValue)),
            .. Written(output => Http2FrameWriter.WriteWindowUpdate(output, 7, 1))];

        var frames = ReadAll(new Http2FrameReader(isServer: true), bytes, shape);

        Assert.Equal([0, 7], frames.Select(f => f.Frame.StreamId));
        Assert.Equal([int.MaxValue, 1], frames.Select(f => f.Frame.WindowIncrement));
        Assert.All(frames, f => Assert.Null(f.Frame.StreamError));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void UnknownType_ReturnedForTheCallerToIgnore(SequenceShapes.Shape shape)
    {
        byte[] bytes = [.. Frame((Http2FrameType)0xfa, (Http2FrameFlags)0xff, 0, 1, 2, 3), .. Written(output => Http2FrameWriter.WritePing(output, 1, false))];

        var frames = ReadAll(new Http2FrameReader(isServer: true), bytes, shape);

        Assert.Equal([(Http2FrameType)0xfa, Http2FrameType.Ping], frames.Select(f => f.Frame.Type));
        Assert.Equal(new byte[] { 1, 2, 3 }, frames[0].Payload);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ReservedBit_InStreamIdentifier_IsIgnored(SequenceShapes.Shape shape)
    {
        byte[] bytes = Frame(Http2FrameType.RstStream, Http2FrameFlags.None, 5, 0, 0, 0, 8);
        bytes[5] |= 0x80;

        Assert.Equal(5, ReadOne(new Http2FrameReader(isServer: true), bytes, shape).StreamId);
    }

    [Fact]
    public void TryReadFrame_EveryPrefixOfAFrame_ReturnsFalseAndConsumesNothing()
    {
        byte[] bytes = Written(output => Http2FrameWriter.WriteGoAway(output, 1, Http2ErrorCode.NoError, Ascii("bye")));
        foreach (SequenceShapes.Shape shape in SequenceShapes.All)
        {
            for (int length = 0; length < bytes.Length; length++)
            {
                var reader = new SequenceReader<byte>(SequenceShapes.Create(bytes.AsSpan(0, length), shape));

                Assert.False(new Http2FrameReader(isServer: true).TryReadFrame(ref reader, out _));
                Assert.Equal(0, reader.Consumed);
            }
        }
    }

    [Fact]
    public void TryReadFrame_TwoFramesAndPartOfAThird_ReadsTwoAndStopsAtTheBoundary()
    {
        byte[] ping = Written(output => Http2FrameWriter.WritePing(output, 9, false));
        byte[] bytes = [.. ping, .. ping, .. ping.AsSpan(0, 12)];
        var reader = new SequenceReader<byte>(SequenceShapes.OneBytePerSegment(bytes));
        var frameReader = new Http2FrameReader(isServer: true);

        Assert.True(frameReader.TryReadFrame(ref reader, out _));
        Assert.True(frameReader.TryReadFrame(ref reader, out _));
        Assert.False(frameReader.TryReadFrame(ref reader, out _));
        Assert.Equal(2 * ping.Length, reader.Consumed);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Headers_WithStreamErrorAndNoEndHeaders_StillAwaitsItsContinuation(SequenceShapes.Shape shape)
    {
        byte[] bytes = [.. Frame(Http2FrameType.Headers, Http2FrameFlags.Priority, 3, 0, 0, 0, 3, 15, 0x82),
            .. Frame(Http2FrameType.Continuation, Http2FrameFlags.EndHeaders, 3, 0x84)];
        var reader = new Http2FrameReader(isServer: true);

        var frames = ReadAll(reader, bytes, shape);

        Assert.NotNull(frames[0].Frame.StreamError);
        Assert.Equal(Http2FrameType.Continuation, frames[1].Frame.Type);
        Assert.Equal(0, reader.HeaderBlockStreamId);
    }

    [Fact]
    public void WriteHeaders_MaxFrameSizeBelowMinimum_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Written(output => Http2FrameWriter.WriteHeaders(output, 1, [1], false, 16_383)));
    }
}
