using System.Buffers;
using BenchmarkDotNet.Attributes;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Frames;

namespace Meshy.Bench.Micro;

/// <summary>
/// The HTTP/2 frame reader and writer on the frames of one small exchange: HEADERS (a 60-byte field
/// block), DATA (1 KiB), WINDOW_UPDATE on the stream and on the connection, PING, SETTINGS ACK.
/// <list type="bullet">
/// <item><c>ParseHeadersOnly</c> (baseline): <see cref="Http2FrameHeader.Read"/> on each 9-byte header of
/// a contiguous buffer, no validation: the floor;</item>
/// <item><c>ReadFramesSingleSegment</c> / <c>ReadFramesMultiSegment</c>: <see cref="Http2FrameReader"/>
/// with every check, the payloads sliced (not copied), on one segment and split over three;</item>
/// <item><c>WriteFrames</c>: the same six frames written (DATA as its 9-byte header only) into a reused buffer.</item>
/// </list>
/// Must show 0 B allocated.
/// </summary>
/// <remarks>Public and unsealed: BenchmarkDotNet generates a derived class in a separate assembly.</remarks>
[MemoryDiagnoser]
public class Http2FrameBenchmarks
{
    private const int FrameCount = 6;

    private static readonly byte[] FieldBlock = Enumerable.Range(0, 60).Select(i => (byte)(0x80 + (i % 61) + 1)).ToArray();

    private readonly Http2FrameReader _reader = new(isServer: true);
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private byte[] _bytes = [];
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _multi;

    [GlobalSetup]
    public void Setup()
    {
        WriteFrames();
        var exchange = new ArrayBufferWriter<byte>();
        Http2FrameWriter.WriteHeaders(exchange, 1, FieldBlock, endStream: false, Http2Settings.MinMaxFrameSize);
        Http2FrameWriter.WriteDataHeader(exchange, 1, 1024, endStream: true);
        exchange.Write(new byte[1024]);
        Http2FrameWriter.WriteWindowUpdate(exchange, 1, 1024);
        Http2FrameWriter.WriteWindowUpdate(exchange, 0, 1024);
        Http2FrameWriter.WritePing(exchange, 42, ack: false);
        Http2FrameWriter.WriteSettingsAck(exchange);
        _bytes = exchange.WrittenSpan.ToArray();
        _single = new ReadOnlySequence<byte>(_bytes);
        _multi = ThreeSegments.Split(_bytes, _bytes.Length / 3, 2 * _bytes.Length / 3);
        if (ParseHeadersOnly() != FrameCount || ReadFramesSingleSegment() != FrameCount || ReadFramesMultiSegment() != FrameCount)
        {
            throw new InvalidOperationException("benchmark frames do not read back");
        }
    }

    [Benchmark(Baseline = true)]
    public int ParseHeadersOnly()
    {
        ReadOnlySpan<byte> rest = _bytes;
        int frames = 0;
        while (rest.Length >= Http2FrameHeader.Size)
        {
            Http2FrameHeader header = Http2FrameHeader.Read(rest);
            rest = rest[(Http2FrameHeader.Size + header.Length)..];
            frames++;
        }
        return frames;
    }

    [Benchmark]
    public int ReadFramesSingleSegment() => ReadAll(_single);

    [Benchmark]
    public int ReadFramesMultiSegment() => ReadAll(_multi);

    [Benchmark]
    public int WriteFrames()
    {
        _output.ResetWrittenCount();
        Http2FrameWriter.WriteHeaders(_output, 1, FieldBlock, endStream: false, Http2Settings.MinMaxFrameSize);
        Http2FrameWriter.WriteDataHeader(_output, 1, 1024, endStream: true);
        Http2FrameWriter.WriteWindowUpdate(_output, 1, 1024);
        Http2FrameWriter.WriteWindowUpdate(_output, 0, 1024);
        Http2FrameWriter.WritePing(_output, 42, ack: false);
        Http2FrameWriter.WriteSettingsAck(_output);
        return _output.WrittenCount;
    }

    private int ReadAll(ReadOnlySequence<byte> bytes)
    {
        var reader = new SequenceReader<byte>(bytes);
        int frames = 0;
        while (_reader.TryReadFrame(ref reader, out Http2Frame frame))
        {
            frames += frame.StreamError is null ? 1 : 0;
        }
        return frames;
    }
}
