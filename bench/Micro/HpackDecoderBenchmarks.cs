using System.Buffers;
using BenchmarkDotNet.Attributes;
using Meshy.Engine.Http;
using Meshy.Filters.Http2.Hpack;

namespace Meshy.Bench.Micro;

/// <summary>
/// The HPACK decoder on a browser request and a web server response (see <see cref="Http2BenchmarkHeaders"/>):
/// <list type="bullet">
/// <item><c>DecodeWarm</c> (baseline): the block a connection sends once the dynamic table holds the
/// fields, mostly one-byte indices;</item>
/// <item><c>DecodeLiterals</c>: the first block of a connection, Huffman-coded literals added to the
/// table (run over and over, each run adds them again and evicts older copies: the cost of a block
/// full of new values);</item>
/// <item><c>DecodeWarmIntoHeaderList</c>: the warm block copied into a reused <see cref="HttpHeaderList"/>,
/// as the connection will do;</item>
/// <item><c>DecodeWarmMultiSegment</c>: the warm block split over three segments (a field block
/// spread over pipe segments or CONTINUATION frames), which the decoder first joins in a reused buffer.</item>
/// </list>
/// Must show 0 B allocated: the decoder, its table and scratch buffer, and the header list are per connection and reused.
/// </summary>
/// <remarks>Public and unsealed: BenchmarkDotNet generates a derived class in a separate assembly.</remarks>
[MemoryDiagnoser]
public class HpackDecoderBenchmarks
{
    private readonly HpackDecoder _warmDecoder = new();
    private readonly HpackDecoder _literalDecoder = new();
    private readonly HttpHeaderList _headers = new();
    private byte[] _firstBlock = [];
    private byte[] _warmBlock = [];
    private ReadOnlySequence<byte> _warmSplit;

    /// <summary>Which header set: <c>request</c> (13 fields) or <c>response</c> (10 fields).</summary>
    [Params("request", "response")]
    public string Message { get; set; } = "request";

    [GlobalSetup]
    public void Setup()
    {
        using var encoder = new HpackEncoder();
        _firstBlock = Encode(encoder);
        _warmBlock = Encode(encoder);
        _warmSplit = ThreeSegments.Split(_warmBlock, _warmBlock.Length / 3, 2 * _warmBlock.Length / 3);
        var counter = new LengthCounter();
        _warmDecoder.Decode(_firstBlock, ref counter);
        int expected = Http2BenchmarkHeaders.Get(Message).Length;
        if (DecodeWarm() == 0 || DecodeLiterals() != DecodeWarm() || DecodeWarmMultiSegment() != DecodeWarm()
            || DecodeWarmIntoHeaderList() != expected)
        {
            throw new InvalidOperationException("benchmark block does not decode");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _warmDecoder.Dispose();
        _literalDecoder.Dispose();
        _headers.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int DecodeWarm()
    {
        var counter = new LengthCounter();
        _warmDecoder.Decode(_warmBlock, ref counter);
        return counter.Bytes;
    }

    [Benchmark]
    public int DecodeLiterals()
    {
        var counter = new LengthCounter();
        _literalDecoder.Decode(_firstBlock, ref counter);
        return counter.Bytes;
    }

    [Benchmark]
    public int DecodeWarmIntoHeaderList()
    {
        _headers.Clear();
        var sink = new HeaderListSink(_headers);
        _warmDecoder.Decode(_warmBlock, ref sink);
        return _headers.Count;
    }

    [Benchmark]
    public int DecodeWarmMultiSegment()
    {
        var counter = new LengthCounter();
        _warmDecoder.Decode(_warmSplit, ref counter);
        return counter.Bytes;
    }

    private byte[] Encode(HpackEncoder encoder)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach ((byte[] name, byte[] value) in Http2BenchmarkHeaders.Get(Message))
        {
            encoder.EncodeField(name, value, output);
        }
        return output.WrittenSpan.ToArray();
    }

    private struct LengthCounter : IHpackFieldSink
    {
        public int Bytes;

        public void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed) => Bytes += name.Length + value.Length;
    }

    private readonly struct HeaderListSink(HttpHeaderList headers) : IHpackFieldSink
    {
        public void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed) => headers.Add(name, value);
    }
}
