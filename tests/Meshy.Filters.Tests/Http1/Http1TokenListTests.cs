using Meshy.Filters.Http1;
using Meshy.Testing;
using static Meshy.Filters.Tests.Http1.Http1TestText;

namespace Meshy.Filters.Tests.Http1;

public sealed class Http1TokenListTests
{
    [Theory]
    [InlineData("close", "close|")]
    [InlineData("  keep-alive , ,Upgrade\t", "keep-alive|Upgrade|")]
    [InlineData(",,,", "")]
    [InlineData("", "")]
    [InlineData("a;q=\"x,y\", b", "a;q=\"x,y\"|b|")]
    [InlineData("a;q=\"x\\\",y\", b", "a;q=\"x\\\",y\"|b|")]
    [InlineData("a;q=\"unterminated, b", "a;q=\"unterminated, b|")]
    public void MoveNext_ListValue_YieldsTrimmedNonEmptyElements(string value, string expected)
    {
        string elements = "";
        foreach (ReadOnlySpan<byte> element in new Http1TokenList(SequenceShapes.Bytes(value)))
        {
            elements += Latin1(element) + "|";
        }

        Assert.Equal(expected, elements);
    }

    [Theory]
    [InlineData("chunked", "chunked")]
    [InlineData("gzip ; level=9", "gzip")]
    [InlineData("trailers", "trailers")]
    public void ElementName_WithParameters_ReturnsTheToken(string element, string expected)
    {
        Assert.Equal(expected, Latin1(Http1TokenList.ElementName(SequenceShapes.Bytes(element))));
    }
}
