using System.Text;
using Meshy.Engine.Http;
using Meshy.Filters.Http2.Connection;

namespace Meshy.Filters.Tests.Http2Proxy;

public sealed class Http2RequestFieldsTests
{
    private static (Http2RequestFields Fields, HttpRequestHead Request) Decode(params (string Name, string Value)[] fields)
    {
        var request = new HttpRequestHead();
        var sink = new Http2RequestFields(request, request.Headers, trailers: false);
        foreach ((string name, string value) in fields)
        {
            sink.OnField(Encoding.ASCII.GetBytes(name), Encoding.ASCII.GetBytes(value), neverIndexed: false);
        }
        sink.Finish();
        return (sink, request);
    }

    [Fact]
    public void Fields_ValidRequest_FillsHeadAndSplitsQuery()
    {
        (Http2RequestFields fields, HttpRequestHead request) = Decode(
            (":method", "POST"), (":scheme", "http"), (":authority", "a.example:8080"), (":path", "/p?q=1"),
            ("content-length", "12"), ("te", "trailers"), ("x-id", "7"));

        Assert.Null(fields.Error);
        Assert.Equal(HttpMethodKind.Post, request.Method);
        Assert.Equal("a.example:8080", Encoding.ASCII.GetString(request.Authority));
        Assert.Equal("/p", Encoding.ASCII.GetString(request.Path));
        Assert.Equal("q=1", Encoding.ASCII.GetString(request.Query));
        Assert.Equal(12, fields.ContentLength);
        Assert.True(fields.AcceptsTrailers);
        Assert.Equal(1, request.Headers.Count);       // content-length and te are the codec's business
    }

    [Theory]
    [InlineData("missing :method", ":scheme", "http")]
    [InlineData("unknown pseudo-header", ":protocol", "websocket")]
    [InlineData("header value with CR", "x-a", "b\rc")]
    [InlineData("header value with leading space", "x-a", " b")]
    [InlineData("keep-alive", "keep-alive", "5")]
    [InlineData("proxy-connection", "proxy-connection", "close")]
    [InlineData("upgrade", "upgrade", "h2c")]
    [InlineData("invalid content-length", "content-length", "1x")]
    [InlineData("empty :path", ":path", "")]
    public void Fields_Malformed_ReportsAnError(string why, string name, string value)
    {
        (string, string)[] fields = why == "missing :method"
            ? [(":scheme", "http"), (":path", "/")]
            : why == "empty :path"
                ? [(":method", "GET"), (":scheme", "http"), (name, value)]
                : [(":method", "GET"), (":scheme", "http"), (":path", "/"), (name, value)];

        Assert.True(Decode(fields).Fields.Error is not null, why);
    }

    [Fact]
    public void Fields_ConflictingContentLengths_ReportsAnError() =>
        Assert.Equal("conflicting content-length",
            Decode((":method", "POST"), (":scheme", "http"), (":path", "/"), ("content-length", "1"), ("content-length", "2")).Fields.Error);

    [Fact]
    public void Fields_ConnectWithPath_ReportsAnError() =>
        Assert.NotNull(Decode((":method", "CONNECT"), (":authority", "a:443"), (":path", "/")).Fields.Error);

    [Fact]
    public void Fields_Trailers_RefusePseudoHeaders()
    {
        var request = new HttpRequestHead();
        var trailers = new HttpHeaderList();
        var sink = new Http2RequestFields(request, trailers, trailers: true);

        sink.OnField("x-sum"u8, "1"u8, false);
        Assert.Null(sink.Error);
        sink.OnField(":path"u8, "/"u8, false);
        Assert.Equal("pseudo-header field in trailers", sink.Error);
        Assert.Equal(1, trailers.Count);
    }
}
