using Meshy.Filters.Http1;
using Meshy.Testing;
using static Meshy.Filters.Tests.Http1.Http1TestText;

namespace Meshy.Filters.Tests.Http1;

public sealed class Http1HeaderStoreTests
{
    private const string Message =
        "GET / HTTP/1.1\r\nHost: example.com\r\nX-Tag: one\r\nx-tag: two\r\nCONTENT-length: 3\r\nX-Latin: \u00e9t\u00e9\r\n\r\n";

    private static Http1RequestHead Parse()
    {
        var head = new Http1RequestHead();
        var reader = new System.Buffers.SequenceReader<byte>(SequenceShapes.Create(Message, SequenceShapes.Shape.SingleSegment));
        Assert.True(Http1Parser.Default.TryParseRequestHead(ref reader, head));
        return head;
    }

    [Fact]
    public void IndexOf_NameInAnyCase_FindsFirstAndNextOccurrence()
    {
        using Http1RequestHead head = Parse();

        Assert.Equal(1, head.Headers.IndexOf("X-TAG"u8));
        Assert.Equal(2, head.Headers.IndexOf("x-tag"u8, startIndex: 2));
        Assert.Equal(-1, head.Headers.IndexOf("x-tag"u8, startIndex: 3));
        Assert.Equal(-1, head.Headers.IndexOf("x-ta"u8));
    }

    [Fact]
    public void TryGetValue_ByNameOrKnownHeader_ReturnsFirstValue()
    {
        using Http1RequestHead head = Parse();

        Assert.True(head.Headers.TryGetValue("x-tag"u8, out ReadOnlySpan<byte> tag));
        Assert.Equal("one", Latin1(tag));
        Assert.True(head.Headers.TryGetValue(Http1KnownHeader.ContentLength, out ReadOnlySpan<byte> length));
        Assert.Equal("3", Latin1(length));
        Assert.False(head.Headers.TryGetValue("missing"u8, out ReadOnlySpan<byte> missing));
        Assert.True(missing.IsEmpty);
        Assert.False(head.Headers.TryGetValue(Http1KnownHeader.TransferEncoding, out _));
    }

    [Fact]
    public void NameEquals_DifferentCase_IsTrue()
    {
        using Http1RequestHead head = Parse();

        Assert.True(head.Headers.NameEquals(3, "content-length"u8));
        Assert.False(head.Headers.NameEquals(3, "content-lengths"u8));
        Assert.Equal("CONTENT-length", head.Headers.GetNameString(3));
        Assert.Equal(Http1KnownHeader.ContentLength, head.Headers[3].Known);
    }

    [Fact]
    public void GetValueString_ObsText_DecodesAsLatin1()
    {
        using Http1RequestHead head = Parse();

        Assert.Equal("\u00e9t\u00e9", head.Headers.GetValueString(4));
    }

    [Fact]
    public void Raw_AfterParse_HoldsTheWholeHead()
    {
        using Http1RequestHead head = Parse();

        Assert.Equal(Message, Latin1(head.Headers.Raw));
        Http1Field host = head.Headers[0];
        Assert.Equal("Host", Latin1(head.Headers.Raw.Slice(host.NameOffset, host.NameLength)));
        Assert.Equal("example.com", Latin1(head.Headers.Raw.Slice(host.ValueOffset, host.ValueLength)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    public void Indexer_OutOfRange_Throws(int index)
    {
        using Http1RequestHead head = Parse();

        Assert.Throws<ArgumentOutOfRangeException>(() => head.Headers[index]);
        Assert.Throws<ArgumentOutOfRangeException>(() => head.Headers.GetValue(index).Length);
    }

    [Fact]
    public void Dispose_AfterUse_LeavesAnEmptyStoreThatCanBeReused()
    {
        Http1RequestHead head = Parse();

        head.Dispose();

        Assert.Equal(0, head.Headers.Count);
        Assert.Equal(0, head.Headers.Raw.Length);
        var reader = new System.Buffers.SequenceReader<byte>(SequenceShapes.Create(Message, SequenceShapes.Shape.SingleSegment));
        Assert.True(Http1Parser.Default.TryParseRequestHead(ref reader, head));
        Assert.Equal(5, head.Headers.Count);
        head.Dispose();
    }
}
