using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Meshy.Engine.Http;
using Meshy.Engine.Tasks;

namespace Meshy.Filters.Http2.Connection;

/// <summary>
/// The request body of one HTTP/2 stream: the connection's frame loop appends each DATA payload, the
/// router's body pump reads it. The buffer never holds more than the stream's receive window (the client
/// may not send more; the connection resets a stream that does), and each <see cref="Advance"/> hands
/// the released bytes' credit back to the client, so a slow upstream stalls its own stream only.
/// </summary>
/// <remarks>
/// <para>NOTE: DATA payloads are copied once, from the connection's receive buffer into this stream's pipe.
/// Handing out slices of the connection's buffer would tie its release to the slowest stream's consumer
/// and so stall the frame loop, and with it every other stream. Responses are not copied.</para>
/// <para>Most requests have no body (END_STREAM on HEADERS): the pipe is touched only once something is
/// written to or read from it, so such a stream ends and is reused without a pipe operation.</para>
/// </remarks>
internal sealed class Http2RequestBody : IHttpBodySource, IDisposable
{
    private static readonly PipeOptions Options = new(
        pauseWriterThreshold: 0,           // bounded by flow control instead: never block the frame loop
        resumeWriterThreshold: 0,
        minimumSegmentSize: 16 * 1024,
        useSynchronizationContext: false);

    private readonly Http2Stream _stream;
    private readonly IHttp2StreamOwner _owner;
    private readonly HttpHeaderList _trailers = new();
    private readonly Pipe _pipe = new(Options);
    private ReadOnlySequence<byte> _last;
    private bool _hasTrailers;
    private bool _completed;
    private bool _writerDone;
    private int _pipeState;
    private Exception? _endFailure;

    private const int PipeUntouched = 0;
    private const int PipeInUse = 1;
    private const int EndedUntouched = 2;     // End or Fail came first: the pipe's writer is completed on first use

    public Http2RequestBody(Http2Stream stream, IHttp2StreamOwner owner)
    {
        _stream = stream;
        _owner = owner;
    }

    /// <inheritdoc />
    public bool IsCompleted => _completed;

    /// <inheritdoc />
    public HttpHeaderList? Trailers => _hasTrailers ? _trailers : null;

    /// <summary>Body bytes handed to the consumer (<c>istio_request_bytes</c>).</summary>
    public long BytesRead { get; private set; }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public async ValueTask<HttpBodyChunk> ReadAsync(CancellationToken cancellationToken)
    {
        UsePipe();
        ReadResult result = await _pipe.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("the request body read was cancelled");
        }
        _last = result.Buffer;
        BytesRead += _last.Length;
        if (result.IsCompleted)
        {
            _completed = true;
        }
        return new HttpBodyChunk(_last, result.IsCompleted);
    }

    /// <inheritdoc />
    public void Advance()
    {
        long length = _last.Length;
        _pipe.Reader.AdvanceTo(_last.End);
        _last = default;
        if (length > 0)
        {
            _owner.OnRequestBodyConsumed(_stream, (int)length);
        }
    }

    /// <summary>Wakes a pending read, which then throws <see cref="OperationCanceledException"/>; nothing is consumed.</summary>
    public void CancelPendingRead()
    {
        UsePipe();
        _pipe.Reader.CancelPendingRead();
    }

    /// <summary>Frame loop: appends one DATA frame's data (copied).</summary>
    public void Append(in ReadOnlySequence<byte> data)
    {
        if (_writerDone || data.IsEmpty)
        {
            return;
        }
        UsePipe();
        PipeWriter writer = _pipe.Writer;
        foreach (ReadOnlyMemory<byte> segment in data)
        {
            writer.Write(segment.Span);
        }
        ValueTask<FlushResult> flush = writer.FlushAsync();
        // Never pauses (pauseWriterThreshold 0): completes at once.
        if (flush.IsCompletedSuccessfully)
        {
            _ = flush.Result;
        }
        else
        {
            flush.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Frame loop: the trailer fields to fill before <see cref="End"/>.</summary>
    public HttpHeaderList BeginTrailers()
    {
        _hasTrailers = true;
        return _trailers;
    }

    /// <summary>Frame loop: END_STREAM arrived.</summary>
    public void End()
    {
        if (!_writerDone)
        {
            _writerDone = true;
            if (Interlocked.CompareExchange(ref _pipeState, EndedUntouched, PipeUntouched) != PipeUntouched)
            {
                _pipe.Writer.Complete();
            }
        }
    }

    /// <summary>The stream was reset or the connection ended: a read in progress or to come throws <paramref name="reason"/>.</summary>
    public void Fail(Exception reason)
    {
        if (!_writerDone)
        {
            _writerDone = true;
            _endFailure = reason;
            if (Interlocked.CompareExchange(ref _pipeState, EndedUntouched, PipeUntouched) != PipeUntouched)
            {
                _pipe.Writer.Complete(reason);
            }
        }
    }

    /// <summary>Makes the body reusable for the next stream (both sides done with it).</summary>
    public void Reset()
    {
        if (Volatile.Read(ref _pipeState) == PipeInUse)
        {
            // The consumer is done with it (the stream's task has ended): no reason needed.
            if (!_writerDone)
            {
                _pipe.Writer.Complete();
            }
            _pipe.Reader.Complete();
            _pipe.Reset();
        }
        _pipeState = PipeUntouched;
        _endFailure = null;
        _writerDone = false;
        _completed = false;
        _hasTrailers = false;
        _trailers.Clear();
        _last = default;
        BytesRead = 0;
    }

    /// <summary>
    /// Before the first write or read: marks the pipe in use, completing its writer first when the body
    /// already ended (or failed) while the pipe was untouched. The reader and the frame loop may race here.
    /// </summary>
    private void UsePipe()
    {
        int state = Volatile.Read(ref _pipeState);
        if (state == PipeInUse
            || (state == PipeUntouched && Interlocked.CompareExchange(ref _pipeState, PipeInUse, PipeUntouched) == PipeUntouched))
        {
            return;
        }
        if (Interlocked.CompareExchange(ref _pipeState, PipeInUse, EndedUntouched) == EndedUntouched)
        {
            _pipe.Writer.Complete(_endFailure);
        }
    }

    public void Dispose()
    {
        Fail(new ObjectDisposedException(nameof(Http2RequestBody)));
        _pipe.Reader.Complete();
        _trailers.Dispose();
    }
}
