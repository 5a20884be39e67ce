using Meshy.Filters.Http1;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http1;

public sealed class Http1KnownHeadersTests
{
    [Theory]
    [InlineData("Host", nameof(Http1KnownHeader.Host))]
    [InlineData("content-LENGTH", nameof(Http1KnownHeader.ContentLength))]
    [InlineData("Transfer-Encoding", nameof(Http1KnownHeader.TransferEncoding))]
    [InlineData("CONNECTION", nameof(Http1KnownHeader.Connection))]
    [InlineData("Upgrade", nameof(Http1KnownHeader.Upgrade))]
    [InlineData("expect", nameof(Http1KnownHeader.Expect))]
    [InlineData("TE", nameof(Http1KnownHeader.TE))]
    [InlineData("Proxy-Connection", nameof(Http1KnownHeader.ProxyConnection))]
    [InlineData("Keep-Alive", nameof(Http1KnownHeader.KeepAlive))]
    [InlineData("Trailer", nameof(Http1KnownHeader.Trailer))]
    [InlineData("Trailers", nameof(Http1KnownHeader.None))]
    [InlineData("Hosts", nameof(Http1KnownHeader.None))]
    [InlineData("Content-Type", nameof(Http1KnownHeader.None))]
    [InlineData("Connectio_", nameof(Http1KnownHeader.None))]
    [InlineData("", nameof(Http1KnownHeader.None))]
    public void Lookup_Name_ClassifiesIgnoringCase(string name, string expectedName)
    {
        Assert.Equal(Enum.Parse<Http1KnownHeader>(expectedName), Http1KnownHeaders.Lookup(SequenceShapes.Bytes(name)));
    }

    [Fact]
    public void GetName_EveryKnownHeader_LooksUpToItself()
    {
        for (var header = Http1KnownHeader.Host; (int)header < Http1KnownHeaders.Count; header++)
        {
            Assert.Equal(header, Http1KnownHeaders.Lookup(Http1KnownHeaders.GetName(header)));
        }
    }

    [Theory]
    [InlineData(nameof(Http1KnownHeader.Connection), true)]
    [InlineData(nameof(Http1KnownHeader.TransferEncoding), true)]
    [InlineData(nameof(Http1KnownHeader.KeepAlive), true)]
    [InlineData(nameof(Http1KnownHeader.ProxyConnection), true)]
    [InlineData(nameof(Http1KnownHeader.Host), false)]
    [InlineData(nameof(Http1KnownHeader.ContentLength), false)]
    [InlineData(nameof(Http1KnownHeader.Expect), false)]
    public void IsHopByHop_KnownHeader_MatchesRfc9110Section7_6_1(string headerName, bool expected)
    {
        Assert.Equal(expected, Http1KnownHeaders.IsHopByHop(Enum.Parse<Http1KnownHeader>(headerName)));
    }
}
