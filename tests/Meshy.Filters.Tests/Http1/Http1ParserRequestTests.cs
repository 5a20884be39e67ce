using System.Buffers;
using Meshy.Filters.Http1;
using Meshy.Testing;
using static Meshy.Filters.Tests.Http1.Http1TestText;

namespace Meshy.Filters.Tests.Http1;

public sealed class Http1ParserRequestTests
{
    private const string BrowserGet =
        "GET /search?q=meshy&lang=en HTTP/1.1\r\n" +
        "Host: www.example.com\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
        "Accept-Language: en-US,en;q=0.5\r\n" +
        "Accept-Encoding: gzip, deflate, br\r\n" +
        "Connection: keep-alive\r\n" +
        "Cookie: session=abc123; theme=dark\r\n" +
        "Upgrade-Insecure-Requests: 1\r\n" +
        "Sec-Fetch-Dest: document\r\n" +
        "Cache-Control: max-age=0\r\n" +
        "\r\n";

    private readonly Http1Parser _parser = Http1Parser.Default;

    public static TheoryData<string, string> ValidRequests => new()
    {
        {
            "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET Get Origin / path=/ query=- auth= Http11 host=a cl=-1 te=- conn=None ka=True body=None:0"
        },
        {
            BrowserGet,
            "GET Get Origin /search?q=meshy&lang=en path=/search query=q=meshy&lang=en auth= Http11 host=www.example.com cl=-1 te=- conn=KeepAlive ka=True body=None:0"
        },
        {
            "POST /submit HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n",
            "POST Post Origin /submit path=/submit query=- auth= Http11 host=api cl=13 te=- conn=None ka=True body=ContentLength:13"
        },
        {
            "POST /upload HTTP/1.1\r\nHost: api\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST Post Origin /upload path=/upload query=- auth= Http11 host=api cl=-1 te=chunked conn=None ka=True body=Chunked:0"
        },
        {
            "PUT /u HTTP/1.1\r\nHost: api\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            "PUT Put Origin /u path=/u query=- auth= Http11 host=api cl=-1 te=chunked conn=None ka=True body=Chunked:0"
        },
        {
            "PUT /u HTTP/1.1\r\nHost: api\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: Chunked\r\n\r\n",
            "PUT Put Origin /u path=/u query=- auth= Http11 host=api cl=-1 te=chunked conn=None ka=True body=Chunked:0"
        },
        {
            "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n",
            "POST Post Origin /p path=/p query=- auth= Http11 host=a cl=5 te=- conn=None ka=True body=ContentLength:5"
        },
        {
            "GET http://example.com:8080/a/b?x=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
            "GET Get Absolute http://example.com:8080/a/b?x=1 path=/a/b query=x=1 auth=example.com:8080 Http11 host=example.com:8080 cl=-1 te=- conn=None ka=True body=None:0"
        },
        {
            "GET http://Example.COM:80/ HTTP/1.1\r\nHost: example.com\r\n\r\n",
            "GET Get Absolute http://Example.COM:80/ path=/ query=- auth=Example.COM:80 Http11 host=example.com cl=-1 te=- conn=None ka=True body=None:0"
        },
        {
            "GET https://a.example/x HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
            "GET Get Absolute https://a.example/x path=/x query=- auth=a.example Http11 host=a.example:443 cl=-1 te=- conn=None ka=True body=None:0"
        },
        {
            "GET http://a?x HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET Get Absolute http://a?x path= query=x auth=a Http11 host=a cl=-1 te=- conn=None ka=True body=None:0"
        },
        {
            "GET http://old.example/ HTTP/1.0\r\n\r\n",
            "GET Get Absolute http://old.example/ path=/ query=- auth=old.example Http10 host=old.example cl=-1 te=- conn=None ka=False body=None:0"
        },
        {
            "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n",
            "CONNECT Connect Authority example.com:443 path= query=- auth=example.com:443 Http11 host=example.com cl=-1 te=- conn=None ka=True body=None:0"
        },
        {
            "CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n",
            "CONNECT Connect Authority [::1]:8443 path= query=- auth=[::1]:8443 Http11 host=[::1]:8443 cl=-1 te=- conn=None ka=True body=None:0"
        },
        {
            "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
            "OPTIONS Options Asterisk * path= query=- auth= Http11 host=a cl=-1 te=- conn=None ka=True body=None:0"
        },
        {
            "GET /old HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
            "GET Get Origin /old path=/old query=- auth= Http10 host= cl=-1 te=- conn=KeepAlive ka=True body=None:0"
        },
        {
            "HEAD /old HTTP/1.0\r\n\r\n",
            "HEAD Head Origin /old path=/old query=- auth= Http10 host= cl=-1 te=- conn=None ka=False body=None:0"
        },
        {
            "PURGE /cache HTTP/1.1\r\nHost: a\r\n\r\n",
            "PURGE Custom Origin /cache path=/cache query=- auth= Http11 host=a cl=-1 te=- conn=None ka=True body=None:0"
        },
        {
            "get / HTTP/1.1\r\nHost: a\r\n\r\n",
            "get Custom Origin / path=/ query=- auth= Http11 host=a cl=-1 te=- conn=None ka=True body=None:0"
        },
        {
            "\r\n\r\nDELETE /item/7 HTTP/1.1\r\nHost: a\r\n\r\n",
            "DELETE Delete Origin /item/7 path=/item/7 query=- auth= Http11 host=a cl=-1 te=- conn=None ka=True body=None:0"
        },
        {
            "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nConnection: close\r\nUpgrade: websocket\r\n\r\n",
            "GET Get Origin /ws path=/ws query=- auth= Http11 host=a cl=-1 te=- conn=Close, Upgrade, Other ka=False body=None:0"
        },
        {
            "POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nTE: deflate;q=0.5, trailers\r\nContent-Length: 0\r\n\r\n",
            "POST Post Origin /e path=/e query=- auth= Http11 host=a cl=0 te=- conn=None ka=True body=ContentLength:0 expect-continue te-trailers"
        },
        {
            "POST /e HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n",
            "POST Post Origin /e path=/e query=- auth= Http10 host= cl=1 te=- conn=None ka=False body=ContentLength:1"
        },
        {
            "GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nX-Pad: \t v a l \t\r\nX-Latin: caf\u00e9\r\n\r\n",
            "GET Get Origin / path=/ query=- auth= Http11 host=a cl=-1 te=- conn=None ka=True body=None:0"
        },
        {
            "GET /a? HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET Get Origin /a? path=/a query= auth= Http11 host=a cl=-1 te=- conn=None ka=True body=None:0"
        },
        {
            "GET / HTTP/1.1\r\nHost:\r\n\r\n",
            "GET Get Origin / path=/ query=- auth= Http11 host= cl=-1 te=- conn=None ka=True body=None:0"
        },
        {
            "PATCH /t HTTP/1.1\r\nHost: a\r\nProxy-Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nTrailer: Expires\r\nTransfer-Encoding: chunked\r\n\r\n",
            "PATCH Patch Origin /t path=/t query=- auth= Http11 host=a cl=-1 te=chunked conn=None ka=True body=Chunked:0"
        },
        {
            "TRACE /%7Euser/a%20b?q={x}|y HTTP/1.1\r\nHost: a\r\n\r\n",
            "TRACE Trace Origin /%7Euser/a%20b?q={x}|y path=/%7Euser/a%20b query=q={x}|y auth= Http11 host=a cl=-1 te=- conn=None ka=True body=None:0"
        },
    };

    [Theory]
    [MemberData(nameof(ValidRequests))]
    public void TryParseRequestHead_ValidRequest_ParsesSameUnderEveryShape(string message, string expected)
    {
        byte[] bytes = SequenceShapes.Bytes(message);
        using var head = new Http1RequestHead();
        string? reference = null;
        foreach ((string shape, ReadOnlySequence<byte> input) in AllShapes(bytes))
        {
            (bool done, long consumed) = ParseRequest(_parser, input, head);

            Assert.True(done, shape);
            Assert.Equal(bytes.Length, consumed);
            Assert.Equal(expected, Summary(head));
            reference ??= Full(head);
            Assert.Equal(reference, Full(head));
        }
    }

    [Theory]
    [MemberData(nameof(ValidRequests))]
    public void TryParseRequestHead_EveryStrictPrefix_ReturnsFalseAndConsumesNothing(string message, string expected)
    {
        _ = expected;
        byte[] bytes = SequenceShapes.Bytes(message);
        using var head = new Http1RequestHead();
        for (int length = 0; length < bytes.Length; length++)
        {
            foreach (SequenceShapes.Shape shape in SequenceShapes.All)
            {
                (bool done, long consumed) = ParseRequest(_parser, SequenceShapes.Create(bytes.AsSpan(0, length), shape), head);

                Assert.False(done, $"{shape}, {length} bytes");
                Assert.Equal(0, consumed);
            }
        }
    }

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void TryParseRequestHead_BodyBytesFollow_ConsumesOnlyTheHead(SequenceShapes.Shape shape)
    {
        const string Head = "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n";
        using var head = new Http1RequestHead();

        (bool done, long consumed) = ParseRequest(_parser, SequenceShapes.Create(Head + "0123456789", shape), head);

        Assert.True(done);
        Assert.Equal(Head.Length, consumed);
        Assert.Equal(Head.Length, head.HeadLength);
        Assert.Equal(Head, Latin1(head.Headers.Raw));
    }

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void TryParseRequestHead_PipelinedRequests_ParsesEachWithTheSameHead(SequenceShapes.Shape shape)
    {
        const string First = "GET /first HTTP/1.1\r\nHost: a\r\nX-Only-First: 1\r\nContent-Length: 3\r\n\r\n";
        const string Second = "GET /second HTTP/1.1\r\nHost: b\r\n\r\n";
        var reader = new SequenceReader<byte>(SequenceShapes.Create(First + "abc" + Second, shape));
        using var head = new Http1RequestHead();

        Assert.True(_parser.TryParseRequestHead(ref reader, head));
        Assert.Equal("/first", head.GetPathString());
        Assert.Equal(3, head.ContentLength);
        reader.Advance(3);
        Assert.True(_parser.TryParseRequestHead(ref reader, head));

        Assert.Equal("/second", head.GetPathString());
        Assert.Equal("b", head.GetHostString());
        Assert.Equal(-1, head.ContentLength);
        Assert.Equal(1, head.Headers.Count);
        Assert.Equal(-1, head.Headers.IndexOf("x-only-first"u8));
        Assert.True(reader.End);
    }

    [Fact]
    public void TryParseRequestHead_Fields_KeepsNamesAndTrimmedValues()
    {
        const string Message = "GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nX-Pad: \t v a l \t\r\nX-Latin: caf\u00e9\r\n\r\n";
        using var head = new Http1RequestHead();

        Assert.True(ParseRequest(_parser, SequenceShapes.Create(Message, SequenceShapes.Shape.SingleSegment), head).Done);

        Assert.Equal("Host=a(Host)|X-Empty=(None)|X-Pad=v a l(None)|X-Latin=caf\u00e9(None)|", Fields(head.Headers));
        Assert.Equal("caf\u00e9", head.Headers.GetValueString(3));
        Assert.Equal("X-Pad", head.Headers.GetNameString(2));
    }

    [Fact]
    public void TryParseRequestHead_KnownFields_IndexedWithoutRescanning()
    {
        const string Message =
            "POST /t HTTP/1.1\r\nUser-Agent: x\r\nHOST: a\r\nProxy-Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n" +
            "Trailer: Expires\r\nTransfer-Encoding: chunked\r\nConnection: x-hop\r\nUpgrade: h2c\r\nTE: trailers\r\nExpect: 100-continue\r\n\r\n";
        using var head = new Http1RequestHead();

        Assert.True(ParseRequest(_parser, SequenceShapes.Create(Message, SequenceShapes.Shape.SingleSegment), head).Done);

        Http1HeaderStore fields = head.Headers;
        Assert.Equal(1, head.HostIndex);
        Assert.Equal(1, fields.IndexOf(Http1KnownHeader.Host));
        Assert.Equal(2, fields.IndexOf(Http1KnownHeader.ProxyConnection));
        Assert.Equal(3, fields.IndexOf(Http1KnownHeader.KeepAlive));
        Assert.Equal(4, fields.IndexOf(Http1KnownHeader.Trailer));
        Assert.Equal(5, fields.IndexOf(Http1KnownHeader.TransferEncoding));
        Assert.Equal(6, fields.IndexOf(Http1KnownHeader.Connection));
        Assert.Equal(7, fields.IndexOf(Http1KnownHeader.Upgrade));
        Assert.Equal(8, fields.IndexOf(Http1KnownHeader.TE));
        Assert.Equal(9, fields.IndexOf(Http1KnownHeader.Expect));
        Assert.Equal(-1, fields.IndexOf(Http1KnownHeader.ContentLength));
        Assert.Equal(Http1ConnectionOptions.Other, head.ConnectionOptions);
        Assert.False(head.IsUpgrade);
        Assert.True(head.AcceptsTrailers);
        Assert.True(head.ExpectsContinue);
    }

    [Fact]
    public void TryParseRequestHead_ConnectionUpgrade_IsUpgrade()
    {
        const string Message = "GET /chat HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n";
        using var head = new Http1RequestHead();

        Assert.True(ParseRequest(_parser, SequenceShapes.Create(Message, SequenceShapes.Shape.SingleSegment), head).Done);

        Assert.True(head.IsUpgrade);
        Assert.True(head.Headers.TryGetValue(Http1KnownHeader.Upgrade, out ReadOnlySpan<byte> protocol));
        Assert.Equal("websocket", Latin1(protocol));
    }

    [Fact]
    public void TryParseRequestHead_ResetAfterParse_ForgetsEverything()
    {
        using var head = new Http1RequestHead();
        Assert.True(ParseRequest(_parser, SequenceShapes.Create(BrowserGet, SequenceShapes.Shape.SingleSegment), head).Done);

        head.Reset();

        Assert.Equal(0, head.Headers.Count);
        Assert.Equal(0, head.Headers.Raw.Length);
        Assert.Equal(-1, head.HostIndex);
        Assert.Equal(Http1ConnectionOptions.None, head.ConnectionOptions);
        Assert.True(head.Path.IsEmpty);
        Assert.False(head.Headers.Contains(Http1KnownHeader.Host));
    }

    [Theory]
    [InlineData("GET", "GET")]
    [InlineData("OPTIONS", "OPTIONS")]
    [InlineData("M-SEARCH", "M-SEARCH")]
    public void GetMethodString_AnyMethod_ReturnsTheToken(string method, string expected)
    {
        using var head = new Http1RequestHead();
        string target = method == "OPTIONS" ? "*" : "/";

        Assert.True(ParseRequest(_parser, SequenceShapes.Create($"{method} {target} HTTP/1.1\r\nHost: a\r\n\r\n", SequenceShapes.Shape.SingleSegment), head).Done);

        Assert.Equal(expected, head.GetMethodString());
    }

    public static TheoryData<string, string> MalformedRequests => new()
    {
        // request line
        { " GET / HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestLine) },
        { "GET /\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestLine) },
        { "GET\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestLine) },
        { "GET  HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestLine) },
        { "G(ET / HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidMethod) },
        { "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidMethod) },
        { "G\u00c9T / HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidMethod) },
        { "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestTarget) },
        { "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestTarget) },
        { "GET /a\u0001 HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestTarget) },
        { "GET /a\u007f HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestTarget) },
        { "GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestTarget) },
        { "GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestTarget) },
        { "GET * HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestTarget) },
        { "CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestTarget) },
        { "CONNECT example.com HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestTarget) },
        { "CONNECT example.com: HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestTarget) },
        { "CONNECT user@example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestTarget) },
        { "GET example.com:80 HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestTarget) },
        { "GET http:/a HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestTarget) },
        { "GET http:///a HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestTarget) },
        { "GET http://user@a/ HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestTarget) },
        { "GET 1http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidRequestTarget) },
        { "GET / http/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidVersion) },
        { "GET / HTTP/11\r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidVersion) },
        { "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", nameof(Http1ParseError.InvalidVersion) },
        { "GET / HTTP/2.0\r\nHost: a\r\n\r\n", nameof(Http1ParseError.UnsupportedVersion) },
        { "GET / HTTP/1.2\r\nHost: a\r\n\r\n", nameof(Http1ParseError.UnsupportedVersion) },
        { "GET / HTTP/0.9\r\nHost: a\r\n\r\n", nameof(Http1ParseError.UnsupportedVersion) },

        // line structure
        { "GET / HTTP/1.1\nHost: a\r\n\r\n", nameof(Http1ParseError.BareLf) },
        { "GET / HTTP/1.1\r\nHost: a\n\r\n", nameof(Http1ParseError.BareLf) },
        { "GET / HTTP/1.1\r\nHost: a\r\n\n", nameof(Http1ParseError.BareLf) },
        { "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.BareLf) },
        { "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.BareCr) },
        { "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", nameof(Http1ParseError.BareCr) },
        { "GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", nameof(Http1ParseError.BareCr) },
        { "GET / HTTP/1.1\r\nHost: a\r\n\r\r\n", nameof(Http1ParseError.BareCr) },

        // field lines
        { "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", nameof(Http1ParseError.ObsFold) },
        { "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", nameof(Http1ParseError.ObsFold) },
        { "GET / HTTP/1.1\r\n Host: a\r\n\r\n", nameof(Http1ParseError.WhitespaceAfterStartLine) },
        { "GET / HTTP/1.1\r\nHost : a\r\n\r\n", nameof(Http1ParseError.WhitespaceBeforeColon) },
        { "GET / HTTP/1.1\r\nHost: a\r\nContent-Length\t: 5\r\n\r\n", nameof(Http1ParseError.WhitespaceBeforeColon) },
        { "GET / HTTP/1.1\r\nHost: a\r\nX(y): b\r\n\r\n", nameof(Http1ParseError.InvalidFieldName) },
        { "GET / HTTP/1.1\r\nHost: a\r\nX Y: b\r\n\r\n", nameof(Http1ParseError.InvalidFieldName) },
        { "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", nameof(Http1ParseError.InvalidFieldName) },
        { "GET / HTTP/1.1\r\nHost: a\r\nX\u00e9: b\r\n\r\n", nameof(Http1ParseError.InvalidFieldName) },
        { "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", nameof(Http1ParseError.MissingColon) },
        { "GET / HTTP/1.1\r\nHost: a\r\nX: a\u0001b\r\n\r\n", nameof(Http1ParseError.InvalidFieldValue) },
        { "GET / HTTP/1.1\r\nHost: a\r\nX: a\u0000\r\n\r\n", nameof(Http1ParseError.InvalidFieldValue) },
        { "GET / HTTP/1.1\r\nHost: a\r\nX: a\u007fb\r\n\r\n", nameof(Http1ParseError.InvalidFieldValue) },
        { "GET / HTTP/1.1\r\nHost: a\r\nX: \u001b[31m\r\n\r\n", nameof(Http1ParseError.InvalidFieldValue) },

        // framing
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", nameof(Http1ParseError.ContentLengthWithTransferEncoding) },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", nameof(Http1ParseError.ContentLengthWithTransferEncoding) },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", nameof(Http1ParseError.ConflictingContentLength) },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", nameof(Http1ParseError.ConflictingContentLength) },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", nameof(Http1ParseError.InvalidContentLength) },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", nameof(Http1ParseError.InvalidContentLength) },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", nameof(Http1ParseError.InvalidContentLength) },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5 5\r\n\r\n", nameof(Http1ParseError.InvalidContentLength) },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", nameof(Http1ParseError.InvalidContentLength) },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\n", nameof(Http1ParseError.InvalidContentLength) },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", nameof(Http1ParseError.InvalidContentLength) },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n", nameof(Http1ParseError.InvalidContentLength) },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", nameof(Http1ParseError.InvalidContentLength) },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", nameof(Http1ParseError.ChunkedNotLast) },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", nameof(Http1ParseError.ChunkedNotLast) },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n", nameof(Http1ParseError.ChunkedNotLast) },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", nameof(Http1ParseError.ChunkedAppliedTwice) },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: CHUNKED\r\n\r\n", nameof(Http1ParseError.ChunkedAppliedTwice) },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", nameof(Http1ParseError.InvalidTransferEncoding) },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , \r\n\r\n", nameof(Http1ParseError.InvalidTransferEncoding) },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chun/ked\r\n\r\n", nameof(Http1ParseError.InvalidTransferEncoding) },
        { "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", nameof(Http1ParseError.TransferEncodingInHttp10) },

        // host
        { "GET / HTTP/1.1\r\n\r\n", nameof(Http1ParseError.MissingHost) },
        { "GET / HTTP/1.1\r\nUser-Agent: x\r\n\r\n", nameof(Http1ParseError.MissingHost) },
        { "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", nameof(Http1ParseError.MultipleHost) },
        { "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", nameof(Http1ParseError.InvalidHost) },
        { "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", nameof(Http1ParseError.InvalidHost) },
        { "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", nameof(Http1ParseError.InvalidHost) },
        { "GET http://a/ HTTP/1.1\r\nHost: b\r\n\r\n", nameof(Http1ParseError.HostMismatch) },
        { "GET http://a:8080/ HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.HostMismatch) },
        { "GET https://a:80/ HTTP/1.1\r\nHost: a\r\n\r\n", nameof(Http1ParseError.HostMismatch) },
        { "GET http://a/ HTTP/1.1\r\nHost:\r\n\r\n", nameof(Http1ParseError.HostMismatch) },
        { "GET http://a/ HTTP/1.1\r\n\r\n", nameof(Http1ParseError.MissingHost) },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public void TryParseRequestHead_Malformed_ThrowsWithReasonUnderEveryShape(string message, string reasonName)
    {
        var reason = Enum.Parse<Http1ParseError>(reasonName);
        byte[] bytes = SequenceShapes.Bytes(message);
        using var head = new Http1RequestHead();
        foreach ((string shape, ReadOnlySequence<byte> input) in AllShapes(bytes))
        {
            var error = Assert.Throws<Http1ProtocolException>(() => ParseRequest(_parser, input, head));

            Assert.True(reason == error.Reason, $"{shape}: expected {reason}, got {error.Reason}");
        }
    }

    [Theory]
    [InlineData(nameof(Http1ParseError.InvalidRequestLine), 400)]
    [InlineData(nameof(Http1ParseError.ObsFold), 400)]
    [InlineData(nameof(Http1ParseError.ContentLengthWithTransferEncoding), 400)]
    [InlineData(nameof(Http1ParseError.HostMismatch), 400)]
    [InlineData(nameof(Http1ParseError.StartLineTooLong), 414)]
    [InlineData(nameof(Http1ParseError.HeaderSectionTooLarge), 431)]
    [InlineData(nameof(Http1ParseError.TooManyHeaders), 431)]
    [InlineData(nameof(Http1ParseError.UnsupportedVersion), 505)]
    public void Http1ProtocolException_Reason_MapsToStatus(string reasonName, int status)
    {
        var reason = Enum.Parse<Http1ParseError>(reasonName);
        var error = new Http1ProtocolException(reason);

        Assert.Equal(status, error.StatusCode);
        Assert.Equal(status, Http1ProtocolException.GetStatusCode(reason));
        Assert.NotEmpty(error.Message);
    }
}
