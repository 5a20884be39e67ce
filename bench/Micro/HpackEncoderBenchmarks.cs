using System.Buffers;
using BenchmarkDotNet.Attributes;
using Meshy.Engine.Http;
using Meshy.Filters.Http2.Hpack;

namespace Meshy.Bench.Micro;

/// <summary>
/// The HPACK encoder on a browser request and a web server response (see <see cref="Http2BenchmarkHeaders"/>):
/// <list type="bullet">
/// <item><c>EncodeWarm</c> (baseline): the fields once the dynamic table holds them, as on a
/// connection that has sent such a message before (table lookups, indices, literals for the fields
/// that are never indexed);</item>
/// <item><c>EncodeColdTable</c>: the table emptied first (two size updates, as when the peer shrinks
/// and restores SETTINGS_HEADER_TABLE_SIZE), so every field is a Huffman-coded literal added to the table;</item>
/// <item><c>EncodeWarmFromHeaderList</c>: the same warm fields read from an <see cref="HttpHeaderList"/>
/// with HTTP/1 capitalisation (names lowercased on the way), as the connection will forward them.</item>
/// </list>
/// Must show 0 B allocated: the encoder, its table and the output buffer are per connection and reused.
/// </summary>
/// <remarks>Public and unsealed: BenchmarkDotNet generates a derived class in a separate assembly.</remarks>
[MemoryDiagnoser]
public class HpackEncoderBenchmarks
{
    private readonly HpackEncoder _encoder = new();
    private readonly HpackEncoder _coldEncoder = new();
    private readonly HttpHeaderList _headers = new();
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private (byte[] Name, byte[] Value)[] _fields = [];

    /// <summary>Which header set: <c>request</c> (13 fields) or <c>response</c> (10 fields).</summary>
    [Params("request", "response")]
    public string Message { get; set; } = "request";

    [GlobalSetup]
    public void Setup()
    {
        _fields = Http2BenchmarkHeaders.Get(Message);
        foreach ((byte[] name, byte[] value) in _fields)
        {
            // HTTP/1-style capitalisation, pseudo-fields aside, so that lowercasing is measured.
            byte[] capitalised = (byte[])name.Clone();
            if (capitalised[0] != (byte)':')
            {
                capitalised[0] = (byte)char.ToUpperInvariant((char)capitalised[0]);
            }
            _headers.Add(capitalised, value);
        }
        EncodeWarm();
        if (EncodeWarm() == 0 || EncodeColdTable() == 0 || EncodeWarmFromHeaderList() != EncodeWarm())
        {
            throw new InvalidOperationException("benchmark fields do not encode as expected");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _encoder.Dispose();
        _coldEncoder.Dispose();
        _headers.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int EncodeWarm()
    {
        _output.ResetWrittenCount();
        foreach ((byte[] name, byte[] value) in _fields)
        {
            _encoder.EncodeField(name, value, _output);
        }
        return _output.WrittenCount;
    }

    [Benchmark]
    public int EncodeColdTable()
    {
        _output.ResetWrittenCount();
        _coldEncoder.SetPeerMaxTableSize(0);
        _coldEncoder.SetPeerMaxTableSize(HpackFormat.DefaultTableSize);
        foreach ((byte[] name, byte[] value) in _fields)
        {
            _coldEncoder.EncodeField(name, value, _output);
        }
        return _output.WrittenCount;
    }

    [Benchmark]
    public int EncodeWarmFromHeaderList()
    {
        _output.ResetWrittenCount();
        _encoder.Encode(_headers, _output);
        return _output.WrittenCount;
    }
}
