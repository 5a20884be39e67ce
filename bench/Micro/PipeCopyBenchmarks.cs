using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;

namespace Meshy.Bench.Micro;

/// <summary>
/// The floor under the L4 proxy's user-space cost: moving 1 MiB through a
/// <see cref="Pipe"/> in socket-read-sized pieces, against a plain buffer copy. If the TCP proxy
/// in the <c>tcp</c> load scenario costs much more per GB than this, the difference is in the proxy,
/// not in System.IO.Pipelines. Also proves the <c>micro</c> switcher end to end.
/// </summary>
/// <remarks>Public and unsealed: BenchmarkDotNet generates a derived class in a separate assembly.</remarks>
[MemoryDiagnoser]
public class PipeCopyBenchmarks
{
    private const int Total = 1024 * 1024;

    private readonly byte[] _source = new byte[Total];
    private readonly byte[] _destination = new byte[Total];
    private Pipe _pipe = new();

    /// <summary>Bytes per write, like one socket receive: small reads and a full 64 KiB read.</summary>
    [Params(4096, 65536)]
    public int Chunk { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // Pause above the largest chunk so a write never waits for the reader in this single-threaded loop.
        _pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false));
    }

    [Benchmark(Baseline = true)]
    public int BufferCopy()
    {
        for (int offset = 0; offset < Total; offset += Chunk)
        {
            _source.AsSpan(offset, Chunk).CopyTo(_destination.AsSpan(offset, Chunk));
        }
        return _destination[Total - 1];
    }

    [Benchmark]
    public async Task<int> ThroughPipe()
    {
        int copied = 0;
        for (int offset = 0; offset < Total; offset += Chunk)
        {
            _source.AsMemory(offset, Chunk).Span.CopyTo(_pipe.Writer.GetSpan(Chunk));
            _pipe.Writer.Advance(Chunk);
            await _pipe.Writer.FlushAsync();

            ReadResult result = await _pipe.Reader.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                segment.Span.CopyTo(_destination.AsSpan(copied));
                copied += segment.Length;
            }
            _pipe.Reader.AdvanceTo(result.Buffer.End);
        }
        return copied;
    }
}
