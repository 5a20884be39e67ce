using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Meshy.Engine.Http;
using Meshy.Filters.Http1;
using Meshy.Filters.HttpConnectionManager;

namespace Meshy.Bench.Micro;

/// <summary>
/// The per-request CPU work of proxying one HTTP/1.1 exchange, without sockets: what
/// <c>Http1ServerConnection</c> and <c>Http1ClientCodec</c> do between a read and a send.
/// <list type="number">
/// <item>request: parse a browser-like GET (11 fields) into a reused <see cref="Http1RequestHead"/>,
/// convert it to the protocol-neutral <see cref="HttpRequestHead"/> (hop-by-hop fields dropped), add
/// X-Forwarded-For, X-Forwarded-Proto and a generated x-request-id, write it for the upstream with
/// <see cref="Http1RequestWriter"/> into a reused <see cref="Http1OutputBuffer"/>;</item>
/// <item>response: parse a typical 200 head (10 fields, keep-alive), convert it, write it for the
/// client with <see cref="Http1ResponseWriter"/>.</item>
/// </list>
/// Each direction runs on a head in one segment and split over three (the copy-per-line path of the
/// parser). The baseline is the request parser alone, so the ratio is what conversion, forwarding
/// headers and serialisation add to parsing. Must show 0 B allocated: heads, header arenas and output
/// buffers are per connection and reused, as in the proxy.
/// </summary>
/// <remarks>Public and unsealed: BenchmarkDotNet generates a derived class in a separate assembly.</remarks>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 8)]
public class Http1ProxyPathBenchmarks
{
    private static readonly byte[] RequestBytes = Encoding.ASCII.GetBytes(
        "GET /search?q=meshy+proxy&lang=en HTTP/1.1\r\n" +
        "Host: www.example.com\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" +
        "Accept-Language: en-US,en;q=0.5\r\n" +
        "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
        "Connection: keep-alive\r\n" +
        "Cookie: session=3f2a9c81d7e64b0a; theme=dark; consent=yes\r\n" +
        "Upgrade-Insecure-Requests: 1\r\n" +
        "Sec-Fetch-Dest: document\r\n" +
        "Sec-Fetch-Mode: navigate\r\n" +
        "Cache-Control: max-age=0\r\n" +
        "\r\n");

    private static readonly byte[] ResponseBytes = Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\n" +
        "Server: nginx/1.22.1\r\n" +
        "Date: Tue, 14 Jan 2025 10:12:31 GMT\r\n" +
        "Content-Type: text/html; charset=utf-8\r\n" +
        "Content-Length: 5120\r\n" +
        "Connection: keep-alive\r\n" +
        "Keep-Alive: timeout=5\r\n" +
        "Vary: Accept-Encoding\r\n" +
        "Cache-Control: private, max-age=0\r\n" +
        "ETag: \"5f3a-62b1c8e4a1f00\"\r\n" +
        "Set-Cookie: session=3f2a9c81d7e64b0a; Path=/; HttpOnly; SameSite=Lax\r\n" +
        "\r\n");

    /// <summary>What the connection manager appends to X-Forwarded-For (the client's address, formatted once per connection).</summary>
    private static readonly byte[] ClientAddress = "192.0.2.17"u8.ToArray();

    private readonly Http1Parser _parser = Http1Parser.Default;
    private readonly Http1RequestHead _requestHead = new();
    private readonly HttpRequestHead _request = new();
    private readonly Http1OutputBuffer _upstreamOutput = new();
    private readonly Http1ResponseHead _responseHead = new();
    private readonly HttpResponseHead _response = new();
    private readonly Http1OutputBuffer _downstreamOutput = new();
    private ReadOnlySequence<byte> _requestSingle;
    private ReadOnlySequence<byte> _requestMulti;
    private ReadOnlySequence<byte> _responseSingle;
    private ReadOnlySequence<byte> _responseMulti;

    [GlobalSetup]
    public void Setup()
    {
        _requestSingle = new ReadOnlySequence<byte>(RequestBytes);
        _requestMulti = SplitInThree(RequestBytes);
        _responseSingle = new ReadOnlySequence<byte>(ResponseBytes);
        _responseMulti = SplitInThree(ResponseBytes);

        // Run every path once and check what it wrote, so a benchmark never measures a failing parse.
        if (!ParseRequest())
        {
            throw new InvalidOperationException("the request does not parse");
        }
        string single = Written(RequestSingleSegment(), _upstreamOutput);
        string multi = Written(RequestMultiSegment(), _upstreamOutput);
        CheckRequest(single);
        CheckRequest(multi);
        // The generated x-request-id (last field) differs; everything before it must not.
        int idField = HttpRequestIdGenerator.Length + 4;
        if (single[..^idField] != multi[..^idField])
        {
            throw new InvalidOperationException("single- and multi-segment requests were written differently");
        }
        string response = Written(ResponseSingleSegment(), _downstreamOutput);
        if (response != Written(ResponseMultiSegment(), _downstreamOutput) || !response.StartsWith("HTTP/1.1 200 OK\r\n", StringComparison.Ordinal)
            || !response.Contains("content-length: 5120\r\n", StringComparison.Ordinal) || response.Contains("keep-alive", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("unexpected response head:\n" + response);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _requestHead.Dispose();
        _request.Dispose();
        _upstreamOutput.Dispose();
        _responseHead.Dispose();
        _response.Dispose();
        _downstreamOutput.Dispose();
    }

    /// <summary>The floor: the request head parsed, nothing else.</summary>
    [Benchmark(Baseline = true)]
    public bool ParseRequest()
    {
        var reader = new SequenceReader<byte>(_requestSingle);
        return _parser.TryParseRequestHead(ref reader, _requestHead);
    }

    /// <summary>Parse, convert, forwarding headers, write: the request's way from client to upstream.</summary>
    [Benchmark]
    public int RequestSingleSegment() => ProxyRequest(_requestSingle);

    [Benchmark]
    public int RequestMultiSegment() => ProxyRequest(_requestMulti);

    /// <summary>Parse, convert, write: the response's way from upstream to client.</summary>
    [Benchmark]
    public int ResponseSingleSegment() => ProxyResponse(_responseSingle);

    [Benchmark]
    public int ResponseMultiSegment() => ProxyResponse(_responseMulti);

    private int ProxyRequest(ReadOnlySequence<byte> input)
    {
        // Http1ServerConnection.ReadHeadAsync → ServeAsync, then Http1ClientCodec.SendRequestHeadAsync
        var reader = new SequenceReader<byte>(input);
        if (!_parser.TryParseRequestHead(ref reader, _requestHead))
        {
            return -1;
        }
        Http1HeadConverter.CopyRequest(_requestHead, _request);
        ForwardingHeaders.Apply(_request.Headers, ClientAddress);
        _upstreamOutput.Clear();
        Http1RequestWriter.WriteHead(_request, _upstreamOutput);
        return _upstreamOutput.Length;
    }

    private int ProxyResponse(ReadOnlySequence<byte> input)
    {
        // Http1ClientCodec.ReadResponseHeadAsync, then Http1ServerConnection.ServeAsync step 4
        var reader = new SequenceReader<byte>(input);
        if (!_parser.TryParseResponseHead(ref reader, _responseHead))
        {
            return -1;
        }
        Http1HeadConverter.CopyResponse(_responseHead, HttpMethodKind.Get, _response);
        bool close = false;
        _downstreamOutput.Clear();
        Http1ResponseWriter.WriteHead(_response, HttpMethodKind.Get, 11, ref close, _downstreamOutput);
        return _downstreamOutput.Length;
    }

    private static string Written(int length, Http1OutputBuffer output) =>
        length < 0 ? throw new InvalidOperationException("the head does not parse") : Encoding.ASCII.GetString(output.Written.Span);

    private static void CheckRequest(string written)
    {
        string[] expected =
        [
            "GET /search?q=meshy+proxy&lang=en HTTP/1.1\r\nhost: www.example.com\r\n",
            "\r\nx-forwarded-for: 192.0.2.17\r\nx-forwarded-proto: http\r\nx-request-id: ",
        ];
        if (!written.StartsWith(expected[0], StringComparison.Ordinal) || !written.Contains(expected[1], StringComparison.Ordinal)
            || written.Contains("Connection", StringComparison.OrdinalIgnoreCase) || !written.EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("unexpected request head:\n" + written);
        }
    }

    /// <summary>The bytes in three segments, cut at a third and two thirds (mid-line, as a pipe would).</summary>
    private static ReadOnlySequence<byte> SplitInThree(byte[] bytes)
    {
        int first = bytes.Length / 3;
        int second = 2 * bytes.Length / 3;
        return ThreeSegments.Split(bytes, first, second);
    }
}
