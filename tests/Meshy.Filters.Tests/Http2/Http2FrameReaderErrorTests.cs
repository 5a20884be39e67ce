using System.Buffers;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Frames;
using Meshy.Testing;
using static Meshy.Filters.Tests.Http2.Http2TestBytes;

namespace Meshy.Filters.Tests.Http2;

public sealed class Http2FrameReaderErrorTests
{
    private const Http2FrameFlags None = Http2FrameFlags.None;

    private static readonly byte[] Ping8 = new byte[8];

    // Connection errors: name → (bytes, expected code). Read by a server unless the name says client.
    private static readonly Dictionary<string, (byte[] Bytes, Http2ErrorCode Code)> ConnectionErrors = new()
    {
        ["data on stream 0"] = (Frame(Http2FrameType.Data, None, 0, 1), Http2ErrorCode.ProtocolError),
        ["headers on stream 0"] = (Frame(Http2FrameType.Headers, Http2FrameFlags.EndHeaders, 0, 0x82), Http2ErrorCode.ProtocolError),
        ["priority on stream 0"] = (Frame(Http2FrameType.Priority, None, 0, 0, 0, 0, 1, 0), Http2ErrorCode.ProtocolError),
        ["rst_stream on stream 0"] = (Frame(Http2FrameType.RstStream, None, 0, 0, 0, 0, 8), Http2ErrorCode.ProtocolError),
        ["settings on a stream"] = (Frame(Http2FrameType.Settings, None, 1), Http2ErrorCode.ProtocolError),
        ["ping on a stream"] = (Frame(Http2FrameType.Ping, None, 1, Ping8), Http2ErrorCode.ProtocolError),
        ["goaway on a stream"] = (Frame(Http2FrameType.GoAway, None, 1, new byte[8]), Http2ErrorCode.ProtocolError),
        ["continuation without headers"] = (Frame(Http2FrameType.Continuation, Http2FrameFlags.EndHeaders, 1, 0x82), Http2ErrorCode.ProtocolError),
        ["continuation on stream 0"] = (Frame(Http2FrameType.Continuation, Http2FrameFlags.EndHeaders, 0, 0x82), Http2ErrorCode.ProtocolError),
        ["data pad length equal to payload"] = (Frame(Http2FrameType.Data, Http2FrameFlags.Padded, 1, 3, 0, 0), Http2ErrorCode.ProtocolError),
        ["data pad length above payload"] = (Frame(Http2FrameType.Data, Http2FrameFlags.Padded, 1, 200, 0), Http2ErrorCode.ProtocolError),
        ["data padded without pad length"] = (Frame(Http2FrameType.Data, Http2FrameFlags.Padded, 1), Http2ErrorCode.FrameSizeError),
        ["headers padding beyond fragment"] = (Frame(Http2FrameType.Headers, Http2FrameFlags.Padded | Http2FrameFlags.Priority | Http2FrameFlags.EndHeaders, 1,
            1, 0, 0, 0, 3, 15), Http2ErrorCode.ProtocolError),
        ["headers too short for priority"] = (Frame(Http2FrameType.Headers, Http2FrameFlags.Priority | Http2FrameFlags.EndHeaders, 1, 0, 0, 0, 3),
            Http2ErrorCode.FrameSizeError),
        ["rst_stream length 3"] = (Frame(Http2FrameType.RstStream, None, 1, 0, 0, 8), Http2ErrorCode.FrameSizeError),
        ["rst_stream length 5"] = (Frame(Http2FrameType.RstStream, None, 1, 0, 0, 0, 8, 0), Http2ErrorCode.FrameSizeError),
        ["settings length 7"] = (Frame(Http2FrameType.Settings, None, 0, 0, 3, 0, 0, 0, 1, 0), Http2ErrorCode.FrameSizeError),
        ["settings ack with payload"] = (Frame(Http2FrameType.Settings, Http2FrameFlags.Ack, 0, 0, 3, 0, 0, 0, 1), Http2ErrorCode.FrameSizeError),
        ["settings enable_push 2"] = (Settings(Http2SettingId.EnablePush, 2), Http2ErrorCode.ProtocolError),
        ["settings initial_window_size 2^31"] = (Settings(Http2SettingId.InitialWindowSize, 0x8000_0000), Http2ErrorCode.FlowControlError),
        ["settings max_frame_size 16383"] = (Settings(Http2SettingId.MaxFrameSize, 16_383), Http2ErrorCode.ProtocolError),
        ["settings max_frame_size 2^24"] = (Settings(Http2SettingId.MaxFrameSize, 16_777_216), Http2ErrorCode.ProtocolError),
        ["ping length 7"] = (Frame(Http2FrameType.Ping, None, 0, new byte[7]), Http2ErrorCode.FrameSizeError),
        ["ping length 9"] = (Frame(Http2FrameType.Ping, Http2FrameFlags.Ack, 0, new byte[9]), Http2ErrorCode.FrameSizeError),
        ["goaway length 7"] = (Frame(Http2FrameType.GoAway, None, 0, new byte[7]), Http2ErrorCode.FrameSizeError),
        ["window_update length 5"] = (Frame(Http2FrameType.WindowUpdate, None, 1, 0, 0, 0, 1, 0), Http2ErrorCode.FrameSizeError),
        ["window_update increment 0 on connection"] = (Frame(Http2FrameType.WindowUpdate, None, 0, 0, 0, 0, 0), Http2ErrorCode.ProtocolError),
        ["push_promise from a client"] = (Frame(Http2FrameType.PushPromise, Http2FrameFlags.EndHeaders, 1, 0, 0, 0, 2, 0x82), Http2ErrorCode.ProtocolError),
        ["client: push_promise with push disabled"] = (Frame(Http2FrameType.PushPromise, Http2FrameFlags.EndHeaders, 1, 0, 0, 0, 2, 0x82),
            Http2ErrorCode.ProtocolError),
        ["client push: push_promise on stream 0"] = (Frame(Http2FrameType.PushPromise, Http2FrameFlags.EndHeaders, 0, 0, 0, 0, 2, 0x82),
            Http2ErrorCode.ProtocolError),
        ["client push: push_promise too short"] = (Frame(Http2FrameType.PushPromise, Http2FrameFlags.EndHeaders, 1, 0, 0, 2),
            Http2ErrorCode.FrameSizeError),
        ["header block interrupted by another type"] = ([.. Frame(Http2FrameType.Headers, None, 1, 0x82), .. Frame(Http2FrameType.Ping, None, 0, Ping8)],
            Http2ErrorCode.ProtocolError),
        ["header block interrupted by another stream"] = ([.. Frame(Http2FrameType.Headers, None, 1, 0x82),
            .. Frame(Http2FrameType.Continuation, Http2FrameFlags.EndHeaders, 3, 0x84)], Http2ErrorCode.ProtocolError),
        ["header block interrupted by an unknown type"] = ([.. Frame(Http2FrameType.Headers, None, 1, 0x82), .. Frame((Http2FrameType)0xbb, None, 1)],
            Http2ErrorCode.ProtocolError),
        ["frame above max frame size"] = (Frame(Http2FrameType.Data, None, 1, new byte[16_385]), Http2ErrorCode.FrameSizeError),
    };

    public static IEnumerable<object[]> ConnectionErrorCases =>
        from name in ConnectionErrors.Keys from shape in SequenceShapes.All select new object[] { name, shape };

    [Theory]
    [MemberData(nameof(ConnectionErrorCases))]
    public void TryReadFrame_InvalidFrame_ThrowsConnectionErrorWithItsCode(string name, SequenceShapes.Shape shape)
    {
        (byte[] bytes, Http2ErrorCode code) = ConnectionErrors[name];
        var reader = new Http2FrameReader(isServer: !name.StartsWith("client", StringComparison.Ordinal))
        {
            AcceptPushPromise = name.StartsWith("client push", StringComparison.Ordinal),
        };

        Http2Error error = ReadError(reader, bytes, shape);

        Assert.Equal(code, error.Code);
        Assert.Equal(Http2ErrorScope.Connection, error.Scope);
        Assert.Equal(0, error.StreamId);
        Assert.False(string.IsNullOrEmpty(error.Message));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TryReadFrame_OversizedLength_FailsOnTheHeaderAloneWithoutWaitingForThePayload(SequenceShapes.Shape shape)
    {
        byte[] header = Frame(Http2FrameType.Data, None, 1, new byte[16_385])[..Http2FrameHeader.Size];

        Http2Error error = ReadError(new Http2FrameReader(isServer: true), header, shape);

        Assert.Equal(Http2ErrorCode.FrameSizeError, error.Code);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TryReadFrame_RaisedMaxFrameSize_AcceptsLargerFrame(SequenceShapes.Shape shape)
    {
        byte[] bytes = Frame(Http2FrameType.Data, None, 1, new byte[20_000]);

        Http2Frame frame = ReadOne(new Http2FrameReader(isServer: true, maxFrameSize: 20_000), bytes, shape);

        Assert.Equal(20_000, frame.Content.Length);
    }

    [Fact]
    public void MaxFrameSize_OutsideTheRfcRange_Throws()
    {
        var reader = new Http2FrameReader(isServer: true);

        Assert.Throws<ArgumentOutOfRangeException>(() => reader.MaxFrameSize = 16_383);
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.MaxFrameSize = 16_777_216);
    }

    public static IEnumerable<object[]> Shapes => SequenceShapes.AllAsData;

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TryReadFrame_PriorityOfWrongLength_ReturnsStreamFrameSizeErrorAndConsumesTheFrame(SequenceShapes.Shape shape)
    {
        byte[] bytes = [.. Frame(Http2FrameType.Priority, None, 3, 0, 0, 0, 1), .. Frame(Http2FrameType.Ping, None, 0, Ping8)];

        var frames = ReadAll(new Http2FrameReader(isServer: true), bytes, shape);

        Assert.Equal(Http2Error.Stream(Http2ErrorCode.FrameSizeError, 3, "PRIORITY length other than 5"), frames[0].Frame.StreamError);
        Assert.Equal(Http2FrameType.Ping, frames[1].Frame.Type);             // the connection reads on
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TryReadFrame_PriorityDependingOnItself_ReturnsStreamProtocolError(SequenceShapes.Shape shape)
    {
        byte[] bytes = Written(output => Http2FrameWriter.WritePriority(output, 5, new Http2Priority(5, false, 16)));

        Http2Frame frame = ReadOne(new Http2FrameReader(isServer: true), bytes, shape);

        AssertStreamError(frame, Http2ErrorCode.ProtocolError, 5);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TryReadFrame_HeadersDependingOnItself_ReturnsStreamProtocolErrorWithTheFragmentForHpack(SequenceShapes.Shape shape)
    {
        byte[] bytes = Written(output => Http2FrameWriter.WriteHeaders(output, 7, [0x82, 0x86], true, 16_384, new Http2Priority(7, false, 16)));

        Http2Frame frame = ReadOne(new Http2FrameReader(isServer: true), bytes, shape);

        AssertStreamError(frame, Http2ErrorCode.ProtocolError, 7);
        Assert.Equal(new byte[] { 0x82, 0x86 }, frame.Content.ToArray());
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TryReadFrame_WindowUpdateOfZeroOnAStream_ReturnsStreamProtocolError(SequenceShapes.Shape shape)
    {
        Http2Frame frame = ReadOne(new Http2FrameReader(isServer: true), Frame(Http2FrameType.WindowUpdate, None, 9, 0, 0, 0, 0), shape);

        AssertStreamError(frame, Http2ErrorCode.ProtocolError, 9);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TryReadFrame_DataPaddingFillingThePayload_GivesEmptyContent(SequenceShapes.Shape shape)
    {
        Http2Frame frame = ReadOne(new Http2FrameReader(isServer: true), Frame(Http2FrameType.Data, Http2FrameFlags.Padded, 1, 2, 0, 0), shape);

        Assert.Equal(2, frame.PadLength);
        Assert.True(frame.Content.IsEmpty);
    }

    [Theory]
    [InlineData(0x2, 2u, 0x1)]                 // ENABLE_PUSH 2: PROTOCOL_ERROR
    [InlineData(0x4, 0x8000_0000u, 0x3)]       // INITIAL_WINDOW_SIZE 2^31: FLOW_CONTROL_ERROR
    [InlineData(0x5, 16_383u, 0x1)]            // MAX_FRAME_SIZE below 2^14: PROTOCOL_ERROR
    [InlineData(0x5, 16_777_216u, 0x1)]        // MAX_FRAME_SIZE 2^24: PROTOCOL_ERROR
    public void SettingsApply_InvalidValue_ThrowsTheSameConnectionError(ushort id, uint value, uint code)
    {
        var payload = new ReadOnlySequence<byte>(Settings((Http2SettingId)id, value)[Http2FrameHeader.Size..]);

        var error = Assert.Throws<Http2ProtocolException>(() => Http2Settings.Default.Apply(payload));

        Assert.Equal((Http2ErrorCode)code, error.Code);
        Assert.Equal(Http2ErrorScope.Connection, error.Scope);
    }

    [Theory]
    [InlineData(0x2, 1u)]
    [InlineData(0x4, 0x7fff_ffffu)]
    [InlineData(0x5, 16_384u)]
    [InlineData(0x5, 16_777_215u)]
    public void Settings_BoundaryValues_AreAccepted(ushort id, uint value)
    {
        Assert.Null(Http2Settings.Validate((Http2SettingId)id, value));
        Assert.Equal(Http2FrameType.Settings,
            ReadOne(new Http2FrameReader(isServer: true), Settings((Http2SettingId)id, value), SequenceShapes.Shape.SingleSegment).Type);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Preface_Complete_IsConsumed(SequenceShapes.Shape shape)
    {
        byte[] bytes = [.. Http2Preface.ClientBytes, .. Written(Http2FrameWriter.WriteSettingsAck)];
        var reader = new SequenceReader<byte>(SequenceShapes.Create(bytes, shape));

        Assert.True(Http2Preface.TryRead(ref reader));
        Assert.Equal(Http2Preface.Length, reader.Consumed);
    }

    [Fact]
    public void Preface_EveryPrefix_ReturnsFalseAndConsumesNothing()
    {
        foreach (SequenceShapes.Shape shape in SequenceShapes.All)
        {
            for (int length = 0; length < Http2Preface.Length; length++)
            {
                var reader = new SequenceReader<byte>(SequenceShapes.Create(Http2Preface.ClientBytes[..length], shape));

                Assert.False(Http2Preface.TryRead(ref reader));
                Assert.Equal(0, reader.Consumed);
            }
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\r")]
    [InlineData("PRX")]
    public void Preface_Mismatch_ThrowsProtocolErrorAsSoonAsAByteDiffers(string text)
    {
        foreach (SequenceShapes.Shape shape in SequenceShapes.All)
        {
            var error = Assert.Throws<Http2ProtocolException>(() =>
            {
                var reader = new SequenceReader<byte>(SequenceShapes.Create(text, shape));
                Http2Preface.TryRead(ref reader);
            });

            Assert.Equal(Http2ErrorCode.ProtocolError, error.Code);
            Assert.Equal(Http2ErrorScope.Connection, error.Scope);
        }
    }

    private static void AssertStreamError(Http2Frame frame, Http2ErrorCode code, int streamId)
    {
        Http2Error error = Assert.NotNull(frame.StreamError);
        Assert.Equal(code, error.Code);
        Assert.Equal(Http2ErrorScope.Stream, error.Scope);
        Assert.Equal(streamId, error.StreamId);
    }

    private static byte[] Settings(Http2SettingId id, uint value) =>
        Written(output => Http2FrameWriter.WriteSettings(output, [new Http2Setting(id, value)]));
}
