using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Meshy.Filters.Http1;
using Meshy.Testing;
using static Meshy.Filters.Tests.Http1.Http1TestText;

namespace Meshy.Filters.Tests.Http1;

public sealed class Http1ChunkedDecoderTests
{
    private const string After = "NEXT";                               // the next message: never consumed

    /// <summary>A chunked body built from its parts, with every position where framing may stop being consumed.</summary>
    private sealed record ChunkedBody(byte[] Bytes, string Data, SortedSet<int> Boundaries, List<int> DataPositions, string Trailers);

    private static ChunkedBody Build((string Extension, string Data)[] chunks, string lastExtension, string trailerLines)
    {
        var text = new StringBuilder();
        var data = new StringBuilder();
        var boundaries = new SortedSet<int> { 0 };
        var dataPositions = new List<int>();
        foreach ((string extension, string chunk) in chunks)
        {
            text.Append($"{chunk.Length:x}").Append(extension).Append("\r\n");
            boundaries.Add(text.Length);                                // after the size line
            foreach (char value in chunk)
            {
                dataPositions.Add(text.Length);
                text.Append(value);
                boundaries.Add(text.Length);                            // after each data byte
            }
            data.Append(chunk);
            text.Append("\r\n");
            boundaries.Add(text.Length);                                // after the CRLF that ends the data
        }
        text.Append('0').Append(lastExtension).Append("\r\n");
        boundaries.Add(text.Length);                                    // after the last-chunk line
        text.Append(trailerLines).Append("\r\n");
        boundaries.Add(text.Length);                                    // after the whole trailer section
        var trailers = new StringBuilder();
        foreach (string line in trailerLines.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = line.IndexOf(':');
            trailers.Append(line[..colon]).Append('=').Append(line[(colon + 1)..].Trim(' ', '\t')).Append("(None)|");
        }
        return new ChunkedBody(SequenceShapes.Bytes(text.ToString()), data.ToString(), boundaries, dataPositions, trailers.ToString());
    }

    public static TheoryData<string> BodyNames => new() { "simple", "extensions-and-trailers", "leading-zeros", "crlf-in-data", "empty", "many-small" };

    private static ChunkedBody Body(string name) => name switch
    {
        "simple" => Build([("", "hello")], "", ""),
        "extensions-and-trailers" => Build(
            [(";name=value;flag", "abcdefghijklmnopqrstuvwxyz"), (" ; q=\"a;b\\\"c\" ;x =\ty", "xyz")],
            ";last",
            "Expires: never\r\nX-Checksum:\tabc \r\n"),
        "leading-zeros" => Build([("", "0123456789ABCDEF")], "", "Trailer-Only: 1\r\n"),
        "crlf-in-data" => Build([("", "\r\n\r\n"), ("", "0\r\n\r\n")], "", ""),
        "empty" => Build([], "", ""),
        "many-small" => Build([("", "a"), ("", "b"), (";e", "c"), ("", "d")], "", "A: 1\r\nB: 2\r\n"),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static (string Data, long Consumed, bool Completed) Decode(Http1ChunkedDecoder decoder, ReadOnlySequence<byte> input)
    {
        var reader = new SequenceReader<byte>(input);
        var data = new StringBuilder();
        while (decoder.TryRead(ref reader, out ReadOnlySequence<byte> slice))
        {
            if (decoder.IsCompleted)
            {
                Assert.True(slice.IsEmpty);
                break;
            }
            Assert.False(slice.IsEmpty);
            data.Append(Latin1(slice.ToArray()));
        }
        return (data.ToString(), reader.Consumed, decoder.IsCompleted);
    }

    [Theory]
    [MemberData(nameof(BodyNames))]
    public void TryRead_WholeBody_SameDataAndTrailersUnderEveryShape(string name)
    {
        ChunkedBody body = Body(name);
        byte[] bytes = [.. body.Bytes, .. SequenceShapes.Bytes(After)];
        using var decoder = new Http1ChunkedDecoder(Http1Limits.Default);
        foreach ((string shape, ReadOnlySequence<byte> input) in AllShapes(bytes))
        {
            decoder.Reset();

            (string data, long consumed, bool completed) = Decode(decoder, input);

            Assert.True(completed, shape);
            Assert.Equal(body.Data, data);
            Assert.Equal(body.Bytes.Length, consumed);
            Assert.Equal(body.Trailers, Fields(decoder.Trailers));
            Assert.Equal(body.Data.Length, decoder.DataLength);
        }
    }

    [Theory]
    [MemberData(nameof(BodyNames))]
    public void TryRead_SplitAtEveryByte_ConsumesOnlyCompleteFramingAndYieldsOnlySeenBytes(string name)
    {
        ChunkedBody body = Body(name);
        byte[] bytes = [.. body.Bytes, .. SequenceShapes.Bytes(After)];
        foreach (SequenceShapes.Shape shape in new[] { SequenceShapes.Shape.SingleSegment, SequenceShapes.Shape.OneBytePerSegment })
        {
            for (int seen = 0; seen <= body.Bytes.Length; seen++)
            {
                using var decoder = new Http1ChunkedDecoder(Http1Limits.Default);
                decoder.Reset();

                // 1. only the first `seen` bytes have arrived
                (string first, long consumed, _) = Decode(decoder, SequenceShapes.Create(bytes.AsSpan(0, seen), shape));

                int expectedConsumed = body.Boundaries.GetViewBetween(0, seen).Max;
                Assert.True(expectedConsumed == consumed, $"{shape}, {seen} bytes seen: consumed {consumed}, expected {expectedConsumed}");
                Assert.Equal(body.Data[..first.Length], first);
                Assert.Equal(CountDataBytes(body, seen), first.Length);

                // 2. the rest arrives; the pipe hands back what was not consumed
                (string rest, long restConsumed, bool completed) = Decode(decoder, SequenceShapes.Create(bytes.AsSpan((int)consumed), shape));

                Assert.True(completed);
                Assert.Equal(body.Data, first + rest);
                Assert.Equal(body.Bytes.Length, consumed + restConsumed);
                Assert.Equal(body.Trailers, Fields(decoder.Trailers));
            }
        }
    }

    // Data bytes are handed out as soon as they are seen: every data byte before `consumed` has been yielded.
    private static int CountDataBytes(ChunkedBody body, int consumed) => body.DataPositions.Count(position => position < consumed);

    [Fact]
    public void TryRead_SingleSegmentInput_YieldsSlicesOfTheCallersBufferWithoutCopying()
    {
        byte[] bytes = SequenceShapes.Bytes("5\r\nhello\r\n0\r\n\r\n");
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        using var decoder = new Http1ChunkedDecoder(Http1Limits.Default);
        decoder.Reset();

        Assert.True(decoder.TryRead(ref reader, out ReadOnlySequence<byte> data));

        Assert.True(MemoryMarshal.TryGetArray(data.First, out ArraySegment<byte> segment));
        Assert.Same(bytes, segment.Array);
        Assert.Equal(3, segment.Offset);
        Assert.Equal(5, segment.Count);
    }

    [Fact]
    public void TryRead_AfterCompletion_KeepsReturningCompletedAndConsumesNothingMore()
    {
        var reader = new SequenceReader<byte>(SequenceShapes.Create("0\r\n\r\n" + After, SequenceShapes.Shape.SingleSegment));
        using var decoder = new Http1ChunkedDecoder(Http1Limits.Default);
        decoder.Reset();
        Assert.True(decoder.TryRead(ref reader, out _));
        long consumed = reader.Consumed;

        Assert.True(decoder.TryRead(ref reader, out ReadOnlySequence<byte> data));

        Assert.True(decoder.IsCompleted);
        Assert.True(data.IsEmpty);
        Assert.Equal(consumed, reader.Consumed);
    }

    [Fact]
    public void Reset_AfterABodyWithTrailers_StartsClean()
    {
        using var decoder = new Http1ChunkedDecoder(Http1Limits.Default);
        decoder.Reset();
        Assert.True(Decode(decoder, SequenceShapes.Create("1\r\na\r\n0\r\nX: 1\r\n\r\n", SequenceShapes.Shape.SingleSegment)).Completed);

        decoder.Reset();

        Assert.False(decoder.IsCompleted);
        Assert.Equal(0, decoder.Trailers.Count);
        Assert.Equal(0, decoder.DataLength);
        Assert.Equal("bc", Decode(decoder, SequenceShapes.Create("2\r\nbc\r\n0\r\n\r\n", SequenceShapes.Shape.SingleSegment)).Data);
    }

    [Fact]
    public void TryRead_LargestChunkSize_IsAccepted()
    {
        var reader = new SequenceReader<byte>(SequenceShapes.Create("7fffffffffffffff\r\nabc", SequenceShapes.Shape.SingleSegment));
        using var decoder = new Http1ChunkedDecoder(Http1Limits.Default);
        decoder.Reset();

        Assert.True(decoder.TryRead(ref reader, out ReadOnlySequence<byte> data));

        Assert.Equal("abc", Latin1(data.ToArray()));
        Assert.False(decoder.TryRead(ref reader, out _));
    }

    public static TheoryData<string, string> MalformedBodies => new()
    {
        { "x\r\n", nameof(Http1ParseError.InvalidChunkSize) },
        { "\r\n", nameof(Http1ParseError.InvalidChunkSize) },
        { "-5\r\nhello\r\n0\r\n\r\n", nameof(Http1ParseError.InvalidChunkSize) },
        { "5 \r\nhello\r\n0\r\n\r\n", nameof(Http1ParseError.InvalidChunkSize) },
        { "5g\r\nhello\r\n0\r\n\r\n", nameof(Http1ParseError.InvalidChunkSize) },
        { "0x5\r\nhello\r\n0\r\n\r\n", nameof(Http1ParseError.InvalidChunkSize) },
        { "8000000000000000\r\n", nameof(Http1ParseError.ChunkSizeOverflow) },
        { "10000000000000000\r\n", nameof(Http1ParseError.ChunkSizeOverflow) },
        { "5;\r\nhello\r\n0\r\n\r\n", nameof(Http1ParseError.InvalidChunkExtension) },
        { "5;a=\r\nhello\r\n0\r\n\r\n", nameof(Http1ParseError.InvalidChunkExtension) },
        { "5;=b\r\nhello\r\n0\r\n\r\n", nameof(Http1ParseError.InvalidChunkExtension) },
        { "5;a b\r\nhello\r\n0\r\n\r\n", nameof(Http1ParseError.InvalidChunkExtension) },
        { "5;a=b c\r\nhello\r\n0\r\n\r\n", nameof(Http1ParseError.InvalidChunkExtension) },
        { "5;a=\"b\r\nhello\r\n0\r\n\r\n", nameof(Http1ParseError.InvalidChunkExtension) },
        { "5;a=\"b\u0001\"\r\nhello\r\n0\r\n\r\n", nameof(Http1ParseError.InvalidChunkExtension) },
        { "5;a=(b)\r\nhello\r\n0\r\n\r\n", nameof(Http1ParseError.InvalidChunkExtension) },
        { "5;a \r\nhello\r\n0\r\n\r\n", nameof(Http1ParseError.InvalidChunkExtension) },
        { "5\nhello\r\n0\r\n\r\n", nameof(Http1ParseError.BareLf) },
        { "5\r\r\nhello\r\n0\r\n\r\n", nameof(Http1ParseError.BareCr) },
        { "5\r\nhello\n0\r\n\r\n", nameof(Http1ParseError.BareLf) },
        { "5\r\nhello\rX0\r\n\r\n", nameof(Http1ParseError.BareCr) },
        { "5\r\nhelloX\r\n0\r\n\r\n", nameof(Http1ParseError.InvalidChunkDataTerminator) },
        { "5\r\nhello\r\n0\n\r\n", nameof(Http1ParseError.BareLf) },
        { "0\r\nA: b\r\n c\r\n\r\n", nameof(Http1ParseError.ObsFold) },
        { "0\r\n c: d\r\n\r\n", nameof(Http1ParseError.ObsFold) },
        { "0\r\nA: b\n\r\n", nameof(Http1ParseError.BareLf) },
        { "0\r\nA: b\r\n\n", nameof(Http1ParseError.BareLf) },
        { "0\r\nA b: c\r\n\r\n", nameof(Http1ParseError.InvalidFieldName) },
        { "0\r\nA : c\r\n\r\n", nameof(Http1ParseError.WhitespaceBeforeColon) },
        { "0\r\nA: c\u007f\r\n\r\n", nameof(Http1ParseError.InvalidFieldValue) },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public void TryRead_Malformed_ThrowsWithReasonUnderEveryShape(string body, string reasonName)
    {
        var reason = Enum.Parse<Http1ParseError>(reasonName);
        byte[] bytes = SequenceShapes.Bytes(body);
        using var decoder = new Http1ChunkedDecoder(Http1Limits.Default);
        foreach ((string shape, ReadOnlySequence<byte> input) in AllShapes(bytes))
        {
            decoder.Reset();

            var error = Assert.Throws<Http1ProtocolException>(() => Decode(decoder, input));

            Assert.True(reason == error.Reason, $"{shape}: expected {reason}, got {error.Reason}");
            Assert.Equal(400, error.StatusCode);
        }
    }

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void TryRead_IncompleteChunkLineOverLimit_ThrowsBeforeTheLineEnds(SequenceShapes.Shape shape)
    {
        var limits = new Http1Limits { MaxChunkLineLength = 16 };
        using var decoder = new Http1ChunkedDecoder(limits);
        const string AtLimit = "5;aaaaaaaaaaaaaa";                  // 16 bytes
        Assert.Equal(16, AtLimit.Length);

        decoder.Reset();
        Assert.Equal("hello", Decode(decoder, SequenceShapes.Create(AtLimit + "\r\nhello\r\n0\r\n\r\n", shape)).Data);
        decoder.Reset();
        Assert.False(decoder.IsCompleted);
        Assert.Equal(0, Decode(decoder, SequenceShapes.Create(AtLimit + "a", shape)).Consumed);   // 17 bytes: could be 16 + CR
        decoder.Reset();
        var error = Assert.Throws<Http1ProtocolException>(() => Decode(decoder, SequenceShapes.Create(AtLimit + "aa", shape)));

        Assert.Equal(Http1ParseError.ChunkLineTooLong, error.Reason);
    }

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void TryRead_TooManyTrailerFields_Throws431(SequenceShapes.Shape shape)
    {
        var limits = new Http1Limits { MaxHeaderCount = 2 };
        using var decoder = new Http1ChunkedDecoder(limits);
        decoder.Reset();

        var error = Assert.Throws<Http1ProtocolException>(() => Decode(decoder, SequenceShapes.Create("0\r\nA: 1\r\nB: 2\r\nC", shape)));

        Assert.Equal(Http1ParseError.TooManyHeaders, error.Reason);
        Assert.Equal(431, error.StatusCode);
    }

    [Fact]
    public void TryRead_MultiSegmentSizeLineLongerThanStackBuffer_Parses()
    {
        string extension = ";" + new string('e', 400);
        byte[] bytes = SequenceShapes.Bytes("3" + extension + "\r\nabc\r\n0\r\n\r\n");
        using var decoder = new Http1ChunkedDecoder(Http1Limits.Default);
        decoder.Reset();

        (string data, long consumed, bool completed) = Decode(decoder, SequenceShapes.SplitAt(bytes, 100, 300));

        Assert.True(completed);
        Assert.Equal("abc", data);
        Assert.Equal(bytes.Length, consumed);
    }
}
