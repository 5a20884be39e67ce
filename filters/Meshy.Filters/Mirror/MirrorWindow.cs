using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Meshy.Engine.Http;
using Meshy.Engine.Tasks;
using Meshy.Engine.Transport;

namespace Meshy.Filters.Mirror;

/// <summary>
/// The bounded buffer between the primary's request body and one copy's sender: the primary copies each
/// chunk in (<see cref="TryWrite"/>, never waits), the copy's codec reads it out as an
/// <see cref="IHttpBodySource"/> and sends it to the mirror's socket. When more than <c>capacity</c> bytes
/// wait in it as the next chunk comes, the write fails and the copy is abandoned.
/// </summary>
/// <remarks>
/// A <see cref="Pipe"/> that never pauses its writer holds the bytes in pooled blocks (memory follows what
/// is actually waiting, not the capacity); the capacity is enforced here by counting bytes written and not
/// yet sent. The reader is scheduled on the thread pool, so the copy's sending never runs on the
/// primary's thread. One per <see cref="MirrorRequest"/>, reused: <see cref="Start"/> before each copy with a
/// body; both sides complete before the next.
/// </remarks>
internal sealed class MirrorWindow : IHttpBodySource
{
    /// <summary>
    /// Default capacity: 4 MiB. One chunk of the primary's body alone can be 1 MiB (its receive pipe's pause
    /// threshold), so a window of a few chunks lets a copy that keeps up on average ride out a short stall.
    /// </summary>
    public const int DefaultCapacity = 4 * 1024 * 1024;

    private static readonly PipeOptions Options = new(
        pool: BlockMemoryPool.Default,
        readerScheduler: PipeScheduler.ThreadPool,
        writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: 0,
        resumeWriterThreshold: 0,
        minimumSegmentSize: BlockMemoryPool.DefaultBlockSize,
        useSynchronizationContext: false);

    private readonly Pipe _pipe = new(Options);
    private readonly int _capacity;
    private long _waiting;
    private long _lastLength;
    private SequencePosition _lastEnd;
    private bool _writerDone;
    private bool _readerDone;
    private bool _used;
    private bool _ended;

    public MirrorWindow(int capacity) => _capacity = capacity;

    /// <inheritdoc />
    public bool IsCompleted => _ended;

    /// <summary>Trailers are not mirrored: a chunked copy ends with a bare last chunk.</summary>
    public HttpHeaderList? Trailers => null;

    /// <summary>Arms the window for the next copy.</summary>
    public void Start()
    {
        if (_used)
        {
            _pipe.Reset();
        }
        _used = true;
        _waiting = 0;
        _lastLength = 0;
        _writerDone = false;
        _readerDone = false;
        _ended = false;
    }

    /// <summary>
    /// Copies <paramref name="data"/> in (primary side). <see cref="MirrorWrite.Full"/>: more than the capacity
    /// is still waiting to be sent, the copy is too far behind; <see cref="MirrorWrite.Closed"/>: the copy
    /// stopped reading.
    /// </summary>
    /// <remarks>
    /// NOTE: the check is on what waits before this chunk, so a window holds at most the capacity plus one
    /// chunk. A chunk is what the primary read from its client at once, up to its receive pipe's 1 MiB pause
    /// threshold and larger when the primary's upstream is slow; checking with the new chunk included would
    /// abandon copies that keep up whenever the primary slows down.
    /// </remarks>
    public MirrorWrite TryWrite(in ReadOnlySequence<byte> data)
    {
        long length = data.Length;
        if (Volatile.Read(ref _waiting) > _capacity)
        {
            return MirrorWrite.Full;
        }
        Interlocked.Add(ref _waiting, length);
        PipeWriter writer = _pipe.Writer;
        foreach (ReadOnlyMemory<byte> segment in data)
        {
            writer.Write(segment.Span);
        }
        ValueTask<FlushResult> flush = writer.FlushAsync(CancellationToken.None);
        // The writer never pauses, so the flush is done at once; completed means the copy stopped reading.
        return flush.IsCompletedSuccessfully && !flush.Result.IsCompleted ? MirrorWrite.Written : MirrorWrite.Closed;
    }

    /// <summary>The primary's body ended: the copy's body ends after what is waiting (primary side).</summary>
    public void CompleteWriter()
    {
        if (!_writerDone)
        {
            _writerDone = true;
            _pipe.Writer.Complete();
        }
    }

    /// <summary>The copy is abandoned: its pending and next reads fail (primary side).</summary>
    public void FailWriter()
    {
        if (!_writerDone)
        {
            _writerDone = true;
            _pipe.Writer.Complete(new MirrorAbandonedException());
        }
    }

    /// <summary>The copy is over (copy side): later writes are dropped.</summary>
    public void CompleteReader()
    {
        if (!_readerDone)
        {
            _readerDone = true;
            _pipe.Reader.Complete();
        }
    }

    /// <summary>The next bytes waiting (copy side); the end once the primary's body ended and all was read.</summary>
    public ValueTask<HttpBodyChunk> ReadAsync(CancellationToken cancellationToken)
    {
        ValueTask<ReadResult> read = _pipe.Reader.ReadAsync(cancellationToken);
        return read.IsCompletedSuccessfully ? new ValueTask<HttpBodyChunk>(ToChunk(read.Result)) : AwaitReadAsync(read);
    }

    /// <summary>Releases the bytes of the last chunk, making room in the window.</summary>
    public void Advance()
    {
        long length = _lastLength;
        _lastLength = 0;
        _pipe.Reader.AdvanceTo(_lastEnd);
        Interlocked.Add(ref _waiting, -length);
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<HttpBodyChunk> AwaitReadAsync(ValueTask<ReadResult> read) => ToChunk(await read.ConfigureAwait(false));

    private HttpBodyChunk ToChunk(ReadResult result)
    {
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("the mirror body read was cancelled");
        }
        ReadOnlySequence<byte> buffer = result.Buffer;
        _lastEnd = buffer.End;
        _lastLength = buffer.Length;
        if (result.IsCompleted)
        {
            _ended = true;
        }
        return new HttpBodyChunk(buffer, result.IsCompleted);
    }
}
