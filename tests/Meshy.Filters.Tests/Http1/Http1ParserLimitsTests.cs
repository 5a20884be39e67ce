using System.Buffers;
using System.Text;
using Meshy.Filters.Http1;
using Meshy.Testing;
using static Meshy.Filters.Tests.Http1.Http1TestText;

namespace Meshy.Filters.Tests.Http1;

public sealed class Http1ParserLimitsTests
{
    private static readonly Http1Limits Small = new()
    {
        MaxRequestLineLength = 20,
        MaxHeaderSectionLength = 40,
        MaxHeaderCount = 3,
    };

    private readonly Http1Parser _small = new(Small);

    // "GET " + target + " HTTP/1.1" is exactly `length` bytes.
    private static string RequestLine(int length) => "GET /" + new string('a', length - 14) + " HTTP/1.1";

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void TryParseRequestHead_RequestLineAtLimit_Parses(SequenceShapes.Shape shape)
    {
        using var head = new Http1RequestHead();

        (bool done, _) = ParseRequest(_small, SequenceShapes.Create(RequestLine(20) + "\r\nHost: a\r\n\r\n", shape), head);

        Assert.True(done);
    }

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void TryParseRequestHead_RequestLineOverLimit_Throws414(SequenceShapes.Shape shape)
    {
        using var head = new Http1RequestHead();

        var error = Assert.Throws<Http1ProtocolException>(
            () => ParseRequest(_small, SequenceShapes.Create(RequestLine(21) + "\r\nHost: a\r\n\r\n", shape), head));

        Assert.Equal(Http1ParseError.StartLineTooLong, error.Reason);
        Assert.Equal(414, error.StatusCode);
    }

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void TryParseRequestHead_IncompleteRequestLineOverLimit_ThrowsBeforeTheLineEnds(SequenceShapes.Shape shape)
    {
        using var head = new Http1RequestHead();
        string partial = RequestLine(21) + "\r";                       // 22 bytes, no LF yet

        // 21 bytes could still be a 20-byte line and its CR; 22 cannot.
        Assert.False(ParseRequest(_small, SequenceShapes.Create(partial[..21], shape), head).Done);
        var error = Assert.Throws<Http1ProtocolException>(() => ParseRequest(_small, SequenceShapes.Create(partial, shape), head));

        Assert.Equal(Http1ParseError.StartLineTooLong, error.Reason);
    }

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void TryParseRequestHead_HeaderSectionAtLimit_Parses(SequenceShapes.Shape shape)
    {
        using var head = new Http1RequestHead();
        string fields = "Host: a\r\nX: " + new string('1', 26) + "\r\n";  // 9 + 31 = 40 bytes
        Assert.Equal(40, fields.Length);

        (bool done, _) = ParseRequest(_small, SequenceShapes.Create("GET / HTTP/1.1\r\n" + fields + "\r\n", shape), head);

        Assert.True(done);
    }

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void TryParseRequestHead_HeaderSectionOverLimit_Throws431(SequenceShapes.Shape shape)
    {
        using var head = new Http1RequestHead();
        string fields = "Host: a\r\nX: " + new string('1', 27) + "\r\n";  // 41 bytes

        var error = Assert.Throws<Http1ProtocolException>(
            () => ParseRequest(_small, SequenceShapes.Create("GET / HTTP/1.1\r\n" + fields + "\r\n", shape), head));

        Assert.Equal(Http1ParseError.HeaderSectionTooLarge, error.Reason);
        Assert.Equal(431, error.StatusCode);
    }

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void TryParseRequestHead_IncompleteFieldOverSectionLimit_ThrowsBeforeTheLineEnds(SequenceShapes.Shape shape)
    {
        using var head = new Http1RequestHead();
        const string Start = "GET / HTTP/1.1\r\nHost: a\r\n";
        // 9 bytes of fields so far; a 30-byte partial line ends as at least 31 + 9 = 40 (fits), 31 bytes cannot fit.
        string fits = Start + "X: " + new string('v', 27);
        string overflows = fits + "v";

        Assert.False(ParseRequest(_small, SequenceShapes.Create(fits, shape), head).Done);
        var error = Assert.Throws<Http1ProtocolException>(() => ParseRequest(_small, SequenceShapes.Create(overflows, shape), head));

        Assert.Equal(Http1ParseError.HeaderSectionTooLarge, error.Reason);
    }

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void TryParseRequestHead_FieldCountAtLimit_Parses(SequenceShapes.Shape shape)
    {
        using var head = new Http1RequestHead();

        (bool done, _) = ParseRequest(_small, SequenceShapes.Create("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", shape), head);

        Assert.True(done);
        Assert.Equal(3, head.Headers.Count);
    }

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void TryParseRequestHead_FieldCountOverLimit_Throws431(SequenceShapes.Shape shape)
    {
        using var head = new Http1RequestHead();

        var error = Assert.Throws<Http1ProtocolException>(
            () => ParseRequest(_small, SequenceShapes.Create("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", shape), head));

        Assert.Equal(Http1ParseError.TooManyHeaders, error.Reason);
        Assert.Equal(431, error.StatusCode);
    }

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void TryParseRequestHead_FirstByteOfOneFieldTooMany_ThrowsAtOnce(SequenceShapes.Shape shape)
    {
        using var head = new Http1RequestHead();
        const string Full = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n";

        // A lone CR may still be the final empty line; any other start begins a fourth field line.
        Assert.False(ParseRequest(_small, SequenceShapes.Create(Full + "\r", shape), head).Done);
        var error = Assert.Throws<Http1ProtocolException>(() => ParseRequest(_small, SequenceShapes.Create(Full + "C", shape), head));
        var crThenByte = Assert.Throws<Http1ProtocolException>(() => ParseRequest(_small, SequenceShapes.Create(Full + "\rC", shape), head));

        Assert.Equal(Http1ParseError.TooManyHeaders, error.Reason);
        Assert.Equal(Http1ParseError.TooManyHeaders, crThenByte.Reason);
    }

    [Fact]
    public void TryParseRequestHead_DefaultLimits_Are8KiB60KiBAnd100()
    {
        Http1Limits limits = Http1Limits.Default;

        Assert.Equal(8 * 1024, limits.MaxRequestLineLength);
        Assert.Equal(60 * 1024, limits.MaxHeaderSectionLength);
        Assert.Equal(100, limits.MaxHeaderCount);
    }

    [Fact]
    public void TryParseRequestHead_Incomplete9KiBRequestLineWithDefaults_Throws414()
    {
        byte[] bytes = Encoding.ASCII.GetBytes("GET /" + new string('a', 9 * 1024));
        using var head = new Http1RequestHead();

        foreach (ReadOnlySequence<byte> input in new[] { SequenceShapes.SingleSegment(bytes), SequenceShapes.SplitAt(bytes, 1000, 4000, 8000) })
        {
            var error = Assert.Throws<Http1ProtocolException>(() => ParseRequest(Http1Parser.Default, input, head));
            Assert.Equal(414, error.StatusCode);
        }
    }

    [Fact]
    public void TryParseRequestHead_Incomplete61KiBHeaderSectionWithDefaults_Throws431()
    {
        var text = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; text.Length < 61 * 1024; i++)
        {
            text.Append("X-Field-").Append(i).Append(": ").Append('v', 1000).Append("\r\n");
        }
        byte[] bytes = Encoding.ASCII.GetBytes(text.ToString());       // no final CRLF: still incomplete
        using var head = new Http1RequestHead();

        foreach (ReadOnlySequence<byte> input in new[] { SequenceShapes.SingleSegment(bytes), SequenceShapes.SplitAt(bytes, 5000, 30000) })
        {
            var error = Assert.Throws<Http1ProtocolException>(() => ParseRequest(Http1Parser.Default, input, head));
            Assert.Equal(Http1ParseError.HeaderSectionTooLarge, error.Reason);
        }
    }

    [Theory]
    [InlineData(100, true)]
    [InlineData(101, false)]
    public void TryParseRequestHead_FieldCountWithDefaults_AllowsExactly100(int count, bool allowed)
    {
        var text = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 1; i < count; i++)
        {
            text.Append("X-").Append(i).Append(": v\r\n");
        }
        text.Append("\r\n");
        using var head = new Http1RequestHead();
        ReadOnlySequence<byte> input = SequenceShapes.SingleSegment(Encoding.ASCII.GetBytes(text.ToString()));

        if (allowed)
        {
            Assert.True(ParseRequest(Http1Parser.Default, input, head).Done);
            Assert.Equal(100, head.Headers.Count);
        }
        else
        {
            var error = Assert.Throws<Http1ProtocolException>(() => ParseRequest(Http1Parser.Default, input, head));
            Assert.Equal(Http1ParseError.TooManyHeaders, error.Reason);
        }
    }

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void TryParseResponseHead_StatusLineOverLimit_ThrowsStartLineTooLong(SequenceShapes.Shape shape)
    {
        using var head = new Http1ResponseHead();

        var error = Assert.Throws<Http1ProtocolException>(
            () => ParseResponse(_small, SequenceShapes.Create("HTTP/1.1 200 A long reason", shape), head));

        Assert.Equal(Http1ParseError.StartLineTooLong, error.Reason);
    }
}
