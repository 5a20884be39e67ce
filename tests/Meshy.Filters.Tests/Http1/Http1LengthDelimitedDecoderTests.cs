using System.Buffers;
using System.Text;
using Meshy.Filters.Http1;
using Meshy.Testing;
using static Meshy.Filters.Tests.Http1.Http1TestText;

namespace Meshy.Filters.Tests.Http1;

public sealed class Http1LengthDelimitedDecoderTests
{
    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void TryRead_BodyThenNextMessage_YieldsExactlyTheBody(SequenceShapes.Shape shape)
    {
        var reader = new SequenceReader<byte>(SequenceShapes.Create("hello worldGET /", shape));
        var decoder = new Http1LengthDelimitedDecoder();
        decoder.Reset(11);
        var body = new StringBuilder();

        while (!decoder.IsCompleted && decoder.TryRead(ref reader, out ReadOnlySequence<byte> data))
        {
            body.Append(Latin1(data.ToArray()));
        }
        Assert.True(decoder.TryRead(ref reader, out ReadOnlySequence<byte> last));
        Assert.True(last.IsEmpty);

        Assert.Equal("hello world", body.ToString());
        Assert.Equal(11, reader.Consumed);
        Assert.True(decoder.IsCompleted);
    }

    [Fact]
    public void TryRead_PartialBody_YieldsWhatIsThereAndWaitsForTheRest()
    {
        var decoder = new Http1LengthDelimitedDecoder();
        decoder.Reset(10);
        var reader = new SequenceReader<byte>(SequenceShapes.Create("abcd", SequenceShapes.Shape.SingleSegment));

        Assert.True(decoder.TryRead(ref reader, out ReadOnlySequence<byte> data));
        Assert.Equal("abcd", Latin1(data.ToArray()));
        Assert.False(decoder.TryRead(ref reader, out _));
        Assert.Equal(6, decoder.Remaining);
    }

    [Fact]
    public void TryRead_ZeroLength_CompletesAtOnce()
    {
        var decoder = new Http1LengthDelimitedDecoder();
        decoder.Reset(0);
        var reader = new SequenceReader<byte>(ReadOnlySequence<byte>.Empty);

        Assert.True(decoder.TryRead(ref reader, out ReadOnlySequence<byte> data));
        Assert.True(decoder.IsCompleted);
        Assert.True(data.IsEmpty);
    }
}
