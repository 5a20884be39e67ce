using System.Buffers;
using System.Runtime.CompilerServices;
using Meshy.Engine.Http;
using Meshy.Engine.Tasks;
using Meshy.Engine.Transport;
using Meshy.Filters.Http1;
using Meshy.Filters.Http2.Frames;

namespace Meshy.Filters.Http2.Client;

/// <summary>
/// One request on an <see cref="Http2ClientConnection"/>: HEADERS (and DATA, and trailers) up, the response
/// head and body back. The router drives it as an <see cref="UpstreamStream"/>; the response body is the
/// stream itself as an <see cref="IHttpBodySource"/>, fed by the read loop's DATA frames and ended by
/// END_STREAM (trailers, when the upstream sent them, in <see cref="Trailers"/>).
/// </summary>
/// <remarks>
/// Response DATA is copied once, from the connection's receive buffer into the stream's <see cref="HttpBodyBuffer"/>,
/// because the read loop must move on to the next frame (other streams' frames interleave). Request DATA is not copied:
/// frame headers and the client's body slices go out in one gathered send.
/// </remarks>
internal sealed class Http2ClientStream : UpstreamStream, IHttpBodySource
{
    private readonly Http2ClientConnection _connection;
    private readonly HttpResponseHead _head = new();
    private readonly Http2HeadSignal _headReady = new();
    private readonly HttpBodyBuffer _body = new();   // bounded by the stream window, not by a pause threshold
    private readonly Http1SendChain _chain = new();
    private readonly byte[] _frameHeaders = new byte[Http2FrameHeader.Size * Http2ClientConnection.FramesPerSend];
    private Http2FlowWindow _receiveWindow = new(Http2ClientConnection.StreamReceiveWindow);
    private HttpHeaderList? _trailers;
    private TaskCompletionSource? _windowWaiter;
    private Exception? _failure;
    private int _receivedUnacked;
    private bool _headEndStream;
    private bool _writerCompleted;
    private bool _endStreamSent;
    private bool _endStreamReceived;
    private bool _aborted;
    private bool _released;
    private bool _readingBody;
    private bool _requestSent;
    private bool _responseStarted;
    private bool _bodyTaken;
    private bool _unprocessed;
    private bool _bodyCompleted;

    /// <summary>The send window toward the peer (under the connection's lock).</summary>
    public Http2FlowWindow SendWindow;

    internal Http2ClientStream(Http2ClientConnection connection)
    {
        _connection = connection;
        ReadTimeout = new UpstreamReadTimeout(Abort);
    }

    /// <inheritdoc />
    public override UpstreamReadTimeout ReadTimeout { get; }

    /// <summary>Makes a released stream (see <see cref="Http2ClientConnection.RemoveStream"/>) as good as new.</summary>
    internal void PrepareForReuse()
    {
        Id = 0;
        Closed = false;
        HeadReceived = false;
        SendWindow = default;
        _head.Reset();
        _trailers?.Clear();
        _headReady.Reset();
        _body.Reset();
        _chain.Clear();
        _receiveWindow = new(Http2ClientConnection.StreamReceiveWindow);
        _windowWaiter = null;
        _failure = null;
        _receivedUnacked = 0;
        _headEndStream = false;
        _writerCompleted = false;
        _endStreamSent = false;
        _endStreamReceived = false;
        _aborted = false;
        _released = false;
        _readingBody = false;
        _requestSent = false;
        _responseStarted = false;
        _bodyTaken = false;
        _unprocessed = false;
        _bodyCompleted = false;
    }

    /// <summary>The stream id, 0 until the head is sent.</summary>
    public int Id { get; set; }

    /// <summary>True once the connection forgot the stream (ended, reset, refused).</summary>
    internal bool Closed { get; set; }

    /// <summary>True once the final (non-1xx) response head arrived: a later field block is the trailers.</summary>
    internal bool HeadReceived { get; private set; }

    /// <inheritdoc />
    public override bool ReadingBody => _readingBody;

    /// <inheritdoc />
    public override bool RequestSent => _requestSent;

    /// <inheritdoc />
    public override bool ResponseStarted => Volatile.Read(ref _responseStarted);

    /// <inheritdoc />
    public override bool BodyTaken => _bodyTaken;

    /// <inheritdoc />
    public override bool Unprocessed => Volatile.Read(ref _unprocessed);

    /// <inheritdoc />
    public override IHttpBodySource ResponseBody => this;

    /// <inheritdoc />
    public bool IsCompleted => _bodyCompleted;

    /// <inheritdoc />
    public HttpHeaderList? Trailers => _trailers is { Count: > 0 } trailers ? trailers : null;

    /// <inheritdoc />
    public override ValueTask SendRequestHeadAsync(HttpRequestHead request)
    {
        bool endStream = !request.HasBody;
        if (!_connection.QueueHeaders(this, request, endStream))
        {
            // The connection took a GOAWAY meanwhile: the request never left, another connection may take it.
            Volatile.Write(ref _unprocessed, true);
            return ValueTask.FromException(new Http2StreamResetException(Http2ErrorCode.RefusedStream, "the HTTP/2 connection is going away"));
        }
        if (endStream)
        {
            _endStreamSent = true;
            _requestSent = true;
            ReadTimeout.RequestSentWithItsHead();
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    public override async ValueTask SendRequestBodyAsync(IHttpBodySource body)
    {
        while (true)
        {
            _readingBody = true;
            HttpBodyChunk chunk = await body.ReadAsync(CancellationToken.None).ConfigureAwait(false);
            _readingBody = false;
            _bodyTaken = true;
            try
            {
                HttpHeaderList? trailers = chunk.IsEnd ? body.Trailers : null;
                bool hasTrailers = trailers is { Count: > 0 };
                await SendDataAsync(chunk.Data, endStream: chunk.IsEnd && !hasTrailers).ConfigureAwait(false);
                if (hasTrailers)
                {
                    _connection.QueueTrailers(this, trailers!);
                }
            }
            finally
            {
                body.Advance();
            }
            if (chunk.IsEnd)
            {
                break;
            }
        }
        _endStreamSent = true;
        _requestSent = true;
        ReadTimeout.RequestSent();
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public override async ValueTask<bool> ReadResponseHeadAsync(HttpMethodKind method, HttpResponseHead response)
    {
        ValueTask<bool> wait = _headReady.WaitAsync();
        bool received;
        if (wait.IsCompleted)
        {
            received = wait.Result;
        }
        else
        {
            using (ReadTimeout.Wait())
            {
                received = await wait.ConfigureAwait(false);
            }
        }
        if (!received)
        {
            return false;
        }
        response.Reset();
        response.StatusCode = _head.StatusCode;
        // The fields were decoded into the stream's own list (the read loop cannot wait for the router): they
        // become the exchange's by swapping storage, and the stream gets the exchange's emptied list.
        response.Headers.SwapWith(_head.Headers);
        bool bodyless = method == HttpMethodKind.Head || _head.StatusCode is 204 or 304;
        response.HasBody = !bodyless && !_headEndStream;
        response.ContentLength = _head.ContentLength;
        if (_headEndStream && !bodyless && response.ContentLength < 0)
        {
            response.ContentLength = 0;
        }
        return true;
    }

    /// <summary>Resets the stream (RST_STREAM CANCEL): its pending head read, body read and send fail at once.</summary>
    public override void Abort()
    {
        lock (_connection.SyncRoot)
        {
            if (_aborted)
            {
                return;
            }
            _aborted = true;
            var canceled = new OperationCanceledException("the HTTP/2 stream was reset by the proxy");
            _failure ??= canceled;
            _headReady.SetFailed(canceled);
            CompleteWriterUnsynchronized(canceled);
            _windowWaiter?.TrySetResult();
            _windowWaiter = null;
        }
        _connection.RemoveStream(this, reset: true);
    }

    /// <summary>Ends the stream's use: reset unless both sides ended it; the pool gets its slot back.</summary>
    public override void Release(bool reusable)
    {
        if (_released)
        {
            return;
        }
        _released = true;
        int resetId;
        bool pooled;
        // One round trip of the connection's lock ends the stream and takes it off the connection.
        lock (_connection.SyncRoot)
        {
            CompleteWriterUnsynchronized(null);
            bool ended = _endStreamSent && _endStreamReceived;
            bool endedCleanly = ended && !_aborted && _failure is null && _windowWaiter is null;
            // Before the stream is offered for reuse, which may reset its buffer for the next request at any time.
            _body.Release();
            ReadTimeout.Stop();
            // Only a stream nobody can touch any more is reused: both sides ended it, the router read it whole (a
            // head that ended the stream, as a HEAD's, a 204's or a 304's does, has no body to read), and no reset
            // or timer may still reach it. Any other goes to the GC with its arenas.
            // Read under the lock: the connection's Dispose sets it before it drops, under the lock, what it keeps.
            pooled = reusable && endedCleanly && (_bodyCompleted || _headEndStream) && !_connection.IsDisposed;
            bool removed = _connection.RemoveStreamUnsynchronized(this, pooled);
            resetId = removed && !ended ? Id : 0;
        }
        if (!pooled)
        {
            ReadTimeout.Dispose(); // a pending fire would keep the dropped stream reachable until then
        }
        _connection.ResetRemovedStream(resetId);
        _connection.Pool?.OnStreamReleased(_connection);
    }

    /// <inheritdoc />
    public ValueTask<HttpBodyChunk> ReadAsync(CancellationToken cancellationToken)
    {
        ValueTask<HttpBodyChunk> read = _body.ReadAsync(cancellationToken);
        return read.IsCompletedSuccessfully ? new ValueTask<HttpBodyChunk>(Observe(read.Result)) : AwaitReadAsync(read);
    }

    /// <inheritdoc />
    public void Advance()
    {
        long length = _body.Advance();
        if (length > 0)
        {
            _connection.OnResponseDataConsumed(this, (int)length);
        }
    }

    /// <summary>Sets the send window from the peer's SETTINGS_INITIAL_WINDOW_SIZE (under the connection's lock).</summary>
    internal void InitializeWindows(int peerInitialWindow) => SendWindow = new Http2FlowWindow(peerInitialWindow);

    /// <summary>A task completed by the next window change (under the connection's lock).</summary>
    internal Task ArmWindowWaiterUnsynchronized()
    {
        if (_failure is not null)
        {
            return Task.CompletedTask;
        }
        _windowWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _windowWaiter.Task;
    }

    /// <summary>Wakes a send waiting for window (under the connection's lock).</summary>
    internal void WakeWindowWaiterUnsynchronized()
    {
        _windowWaiter?.TrySetResult();
        _windowWaiter = null;
    }

    /// <summary>
    /// The consumer advanced past <paramref name="length"/> bytes: the increment to announce in a WINDOW_UPDATE
    /// once at least <paramref name="threshold"/> bytes are owed, 0 otherwise (under the connection's lock).
    /// </summary>
    internal int CreditReceivedUnsynchronized(int length, int threshold)
    {
        if (_endStreamReceived || _aborted)
        {
            return 0;
        }
        _receivedUnacked += length;
        if (_receivedUnacked < threshold)
        {
            return 0;
        }
        int increment = _receivedUnacked;
        _receivedUnacked = 0;
        _receiveWindow.TryIncrease(increment);
        return increment;
    }

    /// <summary>Throws when the stream was aborted or failed (a send must not go on).</summary>
    internal void ThrowIfAborted()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw failure is OperationCanceledException ? new OperationCanceledException(failure.Message) : new IOException(failure.Message, failure);
        }
    }

    /// <summary>The list the read loop decodes the next field block into (the read loop's thread).</summary>
    internal HttpHeaderList ReceivingFields(bool trailers)
    {
        if (trailers)
        {
            return _trailers ??= new HttpHeaderList();
        }
        _head.Headers.Clear();
        return _head.Headers;
    }

    /// <summary>
    /// A field block decoded into <see cref="ReceivingFields"/>: an interim head (ignored), the final head, or
    /// the trailers. False with the reason when it breaks RFC 9113 §8.1.
    /// </summary>
    internal bool OnFields(in Http2ResponseFieldSink sink, bool endStream, out string? violation)
    {
        violation = null;
        lock (_connection.SyncRoot)
        {
            Volatile.Write(ref _responseStarted, true);
            if (HeadReceived)
            {
                if (!endStream)
                {
                    violation = "trailers without END_STREAM";
                    return false;
                }
                _endStreamReceived = true;
                CompleteWriterUnsynchronized(null);
                return true;
            }
            if (sink.Status == 0)
            {
                violation = "response without :status";
                return false;
            }
            if (sink.Status < 200)
            {
                // 1xx: interim (the proxy answered 100-continue itself); the final head follows.
                if (endStream)
                {
                    violation = "an interim response ended the stream";
                    return false;
                }
                return true;
            }
            HeadReceived = true;
            _head.StatusCode = sink.Status;
            _head.ContentLength = sink.ContentLength;
            _headEndStream = endStream;
            if (endStream)
            {
                _endStreamReceived = true;
                CompleteWriterUnsynchronized(null);
            }
        }
        _headReady.SetHeadArrived();
        return true;
    }

    /// <summary>
    /// DATA for this stream (the read loop, holding the connection's lock as it found the stream): its bytes
    /// copied into the body buffer. Returns the stream error to fail it with, or null.
    /// </summary>
    internal Exception? OnDataUnsynchronized(in ReadOnlySequence<byte> content, int padding, bool endStream)
    {
        if (_writerCompleted)
        {
            return null;
        }
        if (!HeadReceived)
        {
            return new Http2ProtocolException(Http2Error.Stream(Http2ErrorCode.ProtocolError, Id, "DATA before the response head"));
        }
        if (!_receiveWindow.TryConsume((int)content.Length + padding))
        {
            return new Http2ProtocolException(Http2Error.Stream(Http2ErrorCode.FlowControlError, Id, "DATA beyond the stream window"));
        }
        _receivedUnacked += padding;
        _body.Write(content, end: endStream);
        if (endStream)
        {
            _endStreamReceived = true;
            _writerCompleted = true;
        }
        return null;
    }

    /// <summary>The stream failed (reset by the peer, refused, a protocol error): every waiter gets <paramref name="failure"/>.</summary>
    internal void Fail(Exception failure, bool unprocessed)
    {
        lock (_connection.SyncRoot)
        {
            if (unprocessed && !HeadReceived)
            {
                Volatile.Write(ref _unprocessed, true);
            }
            _failure ??= failure;
            _headReady.SetFailed(failure);
            CompleteWriterUnsynchronized(failure);
            _windowWaiter?.TrySetResult();
            _windowWaiter = null;
        }
    }

    /// <summary>The connection ended: before a head that reads as a close (<c>UC</c>) unless it failed.</summary>
    internal void OnConnectionEnded(Exception? failure)
    {
        if (failure is null)
        {
            lock (_connection.SyncRoot)
            {
                _failure ??= new IOException("the HTTP/2 upstream connection closed");
                _headReady.SetClosed();
            }
        }
        Fail(failure ?? new IOException("the HTTP/2 upstream connection closed mid-response"), unprocessed: false);
    }

    private void CompleteWriterUnsynchronized(Exception? failure)
    {
        if (_writerCompleted)
        {
            return;
        }
        _writerCompleted = true;
        _body.Complete(failure);
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private async ValueTask SendDataAsync(ReadOnlySequence<byte> data, bool endStream)
    {
        if (data.IsEmpty)
        {
            if (endStream)
            {
                // A bare END_STREAM needs no window (§6.9.1 counts payload bytes only).
                Http2FrameWriter.WriteDataHeader(_frameHeaders, Id, 0, endStream: true);
                await _connection.SendDataAsync(this, new ReadOnlySequence<byte>(_frameHeaders, 0, Http2FrameHeader.Size)).ConfigureAwait(false);
            }
            return;
        }
        long offset = 0;
        while (offset < data.Length)
        {
            int maxFrame = _connection.PeerMaxFrameSize;
            int wanted = (int)Math.Min(data.Length - offset, (long)maxFrame * Http2ClientConnection.FramesPerSend);
            int granted = _connection.TakeSendWindow(this, wanted, out Task? wait);
            if (granted == 0)
            {
                await wait!.ConfigureAwait(false);
                ThrowIfAborted();
                continue;
            }
            // Frame headers and payload slices, one gathered send: [hdr][slice][hdr][slice]...
            _chain.Clear();
            int frames = 0;
            while (granted > 0)
            {
                int length = Math.Min(granted, maxFrame);
                bool last = offset + length == data.Length;
                Memory<byte> header = _frameHeaders.AsMemory(frames * Http2FrameHeader.Size, Http2FrameHeader.Size);
                Http2FrameWriter.WriteDataHeader(header.Span, Id, length, endStream && last);
                _chain.Append((ReadOnlyMemory<byte>)header);
                _chain.Append(data.Slice(offset, length));
                offset += length;
                granted -= length;
                frames++;
            }
            await _connection.SendDataAsync(this, _chain.Build()).ConfigureAwait(false);
        }
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<HttpBodyChunk> AwaitReadAsync(ValueTask<HttpBodyChunk> read)
    {
        using (ReadTimeout.Wait())
        {
            return Observe(await read.ConfigureAwait(false));
        }
    }

    private HttpBodyChunk Observe(HttpBodyChunk chunk)
    {
        if (chunk.IsEnd)
        {
            _bodyCompleted = true;
        }
        return chunk;
    }
}
