using System.Buffers;
using Meshy.Engine.Http;
using Meshy.Filters.Http1;
using Meshy.Testing;
using static Meshy.Filters.Tests.Http1.Http1TestText;

namespace Meshy.Filters.Tests.Http1;

public sealed class Http1ParserResponseTests
{
    private readonly Http1Parser _parser = Http1Parser.Default;

    public static TheoryData<string, string> ValidResponses => new()
    {
        { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "Http11 200 reason=OK cl=5 te=- conn=None ka=True" },
        { "HTTP/1.1 204 No Content\r\n\r\n", "Http11 204 reason=No Content cl=-1 te=- conn=None ka=True" },
        { "HTTP/1.1 200\r\n\r\n", "Http11 200 reason= cl=-1 te=- conn=None ka=True" },
        { "HTTP/1.1 200 \r\n\r\n", "Http11 200 reason= cl=-1 te=- conn=None ka=True" },
        { "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n", "Http10 200 reason=OK cl=-1 te=- conn=KeepAlive ka=True" },
        { "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n", "Http11 404 reason=Not Found cl=-1 te=chunked conn=None ka=True" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n", "Http11 200 reason=OK cl=-1 te=other conn=Close ka=False" },
        { "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", "Http11 101 reason=Switching Protocols cl=-1 te=- conn=Upgrade ka=True" },
        { "HTTP/1.1 599 Caf\u00e9\t\u00ff reason\r\nX: 1\r\n\r\n", "Http11 599 reason=Caf\u00e9\t\u00ff reason cl=-1 te=- conn=None ka=True" },
        { "HTTP/1.1 100 Continue\r\n\r\n", "Http11 100 reason=Continue cl=-1 te=- conn=None ka=True" },
        { "HTTP/1.1 302 Found\r\nHost: a\r\nHost: b\r\nContent-Length: 0, 0\r\nLocation: /x\r\n\r\n", "Http11 302 reason=Found cl=0 te=- conn=None ka=True" },
    };

    [Theory]
    [MemberData(nameof(ValidResponses))]
    public void TryParseResponseHead_ValidResponse_ParsesSameUnderEveryShape(string message, string expected)
    {
        byte[] bytes = SequenceShapes.Bytes(message);
        using var head = new Http1ResponseHead();
        string? reference = null;
        foreach ((string shape, ReadOnlySequence<byte> input) in AllShapes(bytes))
        {
            (bool done, long consumed) = ParseResponse(_parser, input, head);

            Assert.True(done, shape);
            Assert.Equal(bytes.Length, consumed);
            Assert.Equal(expected, Summary(head));
            reference ??= Full(head);
            Assert.Equal(reference, Full(head));
        }
    }

    [Theory]
    [MemberData(nameof(ValidResponses))]
    public void TryParseResponseHead_EveryStrictPrefix_ReturnsFalseAndConsumesNothing(string message, string expected)
    {
        _ = expected;
        byte[] bytes = SequenceShapes.Bytes(message);
        using var head = new Http1ResponseHead();
        for (int length = 0; length < bytes.Length; length++)
        {
            foreach (SequenceShapes.Shape shape in SequenceShapes.All)
            {
                (bool done, long consumed) = ParseResponse(_parser, SequenceShapes.Create(bytes.AsSpan(0, length), shape), head);

                Assert.False(done, $"{shape}, {length} bytes");
                Assert.Equal(0, consumed);
            }
        }
    }

    public static TheoryData<string, string> MalformedResponses => new()
    {
        { "HTTP/1.1 20 OK\r\n\r\n", nameof(Http1ParseError.InvalidStatusLine) },
        { "HTTP/1.1 2000 OK\r\n\r\n", nameof(Http1ParseError.InvalidStatusLine) },
        { "HTTP/1.1 099 Low\r\n\r\n", nameof(Http1ParseError.InvalidStatusLine) },
        { "HTTP/1.1 600 High\r\n\r\n", nameof(Http1ParseError.InvalidStatusLine) },
        { "HTTP/1.1 2x0 OK\r\n\r\n", nameof(Http1ParseError.InvalidStatusLine) },
        { "HTTP/1.1  200 OK\r\n\r\n", nameof(Http1ParseError.InvalidStatusLine) },
        { "HTTP/1.1 200 O\u0001K\r\n\r\n", nameof(Http1ParseError.InvalidStatusLine) },
        { "HTTP/1.1\r\n\r\n", nameof(Http1ParseError.InvalidStatusLine) },
        { "HTTP/1\r\n\r\n", nameof(Http1ParseError.InvalidStatusLine) },
        { "\r\nHTTP/1.1 200 OK\r\n\r\n", nameof(Http1ParseError.InvalidStatusLine) },
        { "HTTP/2 200 OK\r\n\r\n", nameof(Http1ParseError.InvalidVersion) },
        { "ICY 200 OK\r\n\r\n", nameof(Http1ParseError.InvalidVersion) },
        { "HTTP/2.0 200 OK\r\n\r\n", nameof(Http1ParseError.UnsupportedVersion) },
        { "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", nameof(Http1ParseError.BareLf) },
        { "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", nameof(Http1ParseError.BareCr) },
        { "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", nameof(Http1ParseError.ObsFold) },
        { "HTTP/1.1 200 OK\r\nX : a\r\n\r\n", nameof(Http1ParseError.WhitespaceBeforeColon) },
        { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", nameof(Http1ParseError.ContentLengthWithTransferEncoding) },
        { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n", nameof(Http1ParseError.ConflictingContentLength) },
        { "HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\n", nameof(Http1ParseError.InvalidContentLength) },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", nameof(Http1ParseError.ChunkedAppliedTwice) },
        { "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", nameof(Http1ParseError.TransferEncodingInHttp10) },
    };

    [Theory]
    [MemberData(nameof(MalformedResponses))]
    public void TryParseResponseHead_Malformed_ThrowsWithReasonUnderEveryShape(string message, string reasonName)
    {
        var reason = Enum.Parse<Http1ParseError>(reasonName);
        byte[] bytes = SequenceShapes.Bytes(message);
        using var head = new Http1ResponseHead();
        foreach ((string shape, ReadOnlySequence<byte> input) in AllShapes(bytes))
        {
            var error = Assert.Throws<Http1ProtocolException>(() => ParseResponse(_parser, input, head));

            Assert.True(reason == error.Reason, $"{shape}: expected {reason}, got {error.Reason}");
        }
    }

    public static TheoryData<string, string, string, long> BodyFramingCases => new()
    {
        { nameof(HttpMethodKind.Get), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", nameof(Http1BodyKind.ContentLength), 5 },
        { nameof(HttpMethodKind.Get), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", nameof(Http1BodyKind.ContentLength), 0 },
        { nameof(HttpMethodKind.Head), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", nameof(Http1BodyKind.None), 0 },
        { nameof(HttpMethodKind.Head), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", nameof(Http1BodyKind.None), 0 },
        { nameof(HttpMethodKind.Get), "HTTP/1.1 204 No Content\r\n\r\n", nameof(Http1BodyKind.None), 0 },
        { nameof(HttpMethodKind.Get), "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", nameof(Http1BodyKind.None), 0 },
        { nameof(HttpMethodKind.Post), "HTTP/1.1 100 Continue\r\n\r\n", nameof(Http1BodyKind.None), 0 },
        { nameof(HttpMethodKind.Get), "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n", nameof(Http1BodyKind.None), 0 },
        { nameof(HttpMethodKind.Connect), "HTTP/1.1 200 Connection Established\r\n\r\n", nameof(Http1BodyKind.Tunnel), 0 },
        { nameof(HttpMethodKind.Connect), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", nameof(Http1BodyKind.Tunnel), 0 },
        { nameof(HttpMethodKind.Connect), "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 3\r\n\r\n", nameof(Http1BodyKind.ContentLength), 3 },
        { nameof(HttpMethodKind.Get), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", nameof(Http1BodyKind.Chunked), 0 },
        { nameof(HttpMethodKind.Get), "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", nameof(Http1BodyKind.Chunked), 0 },
        { nameof(HttpMethodKind.Get), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", nameof(Http1BodyKind.UntilClose), 0 },
        { nameof(HttpMethodKind.Get), "HTTP/1.1 200 OK\r\n\r\n", nameof(Http1BodyKind.UntilClose), 0 },
        { nameof(HttpMethodKind.Get), "HTTP/1.0 200 OK\r\n\r\n", nameof(Http1BodyKind.UntilClose), 0 },
        { nameof(HttpMethodKind.Custom), "HTTP/1.1 500 Oops\r\nContent-Length: 2\r\n\r\n", nameof(Http1BodyKind.ContentLength), 2 },
    };

    [Theory]
    [MemberData(nameof(BodyFramingCases))]
    public void GetBodyFraming_Response_FollowsRfc9112Section6_3(string requestMethod, string message, string kind, long length)
    {
        using var head = new Http1ResponseHead();
        Assert.True(ParseResponse(_parser, SequenceShapes.Create(message, SequenceShapes.Shape.SingleSegment), head).Done);

        Http1BodyFraming framing = head.GetBodyFraming(Enum.Parse<HttpMethodKind>(requestMethod));

        Assert.Equal(new Http1BodyFraming(Enum.Parse<Http1BodyKind>(kind), length), framing);
    }

    [Theory]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\n\r\n", nameof(Http1BodyKind.ContentLength), 7)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", nameof(Http1BodyKind.Chunked), 0)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1BodyKind.None), 0)]
    [InlineData("GET / HTTP/1.0\r\n\r\n", nameof(Http1BodyKind.None), 0)]
    public void GetBodyFraming_Request_ChunkedLengthOrNone(string message, string kind, long length)
    {
        using var head = new Http1RequestHead();
        Assert.True(ParseRequest(_parser, SequenceShapes.Create(message, SequenceShapes.Shape.SingleSegment), head).Done);

        Assert.Equal(new Http1BodyFraming(Enum.Parse<Http1BodyKind>(kind), length), head.GetBodyFraming());
    }

    [Fact]
    public void TryParseResponseHead_InterimThenFinal_ParsesBothFromOneBuffer()
    {
        const string Message = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
        var reader = new SequenceReader<byte>(SequenceShapes.Create(Message, SequenceShapes.Shape.OneBytePerSegment));
        using var head = new Http1ResponseHead();

        Assert.True(_parser.TryParseResponseHead(ref reader, head));
        Assert.True(head.IsInformational);
        Assert.True(_parser.TryParseResponseHead(ref reader, head));

        Assert.Equal(201, head.StatusCode);
        Assert.Equal("Created", head.GetReasonString());
        Assert.True(reader.End);
    }
}
