using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using Meshy.Engine.Http;
using Meshy.Engine.Tasks;
using Meshy.Engine.Transport;
using Meshy.Filters.Http1;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Connection;
using Meshy.Filters.Http2.Frames;
using Meshy.Filters.Http2.Hpack;

namespace Meshy.Filters.HttpConnectionManager;

/// <summary>
/// Sending: one writer at a time (<see cref="_writeLock"/>), streams' frames batched into one send per turn
/// (<see cref="QueueSend"/>), control frames queued and sent with the next batch, DATA within the client's
/// windows, and request-body credit returned as it is consumed.
/// </summary>
internal sealed partial class Http2ServerConnection
{
    /// <inheritdoc />
    public void OnRequestBodyConsumed(Http2Stream stream, int bytes)
    {
        lock (_sync)
        {
            if (!stream.IsActive)
            {
                return;         // its buffered bytes were credited to the connection when it closed
            }
            stream.Buffered -= bytes;
            CreditStreamUnsynchronized(stream, bytes);
            CreditConnectionUnsynchronized(bytes);
        }
        ScheduleControlFlush();
    }

    /// <summary>
    /// Returns connection-window credit to the client, batched: one WINDOW_UPDATE once half the window is owed.
    /// </summary>
    private void CreditConnectionUnsynchronized(int bytes)
    {
        _connectionPendingCredit += bytes;
        if (_connectionPendingCredit >= _config.ConnectionWindow / 2 && !_closed)
        {
            Http2FrameWriter.WriteWindowUpdate(_control, 0, _connectionPendingCredit);
            _connectionReceiveWindow += _connectionPendingCredit;
            _connectionPendingCredit = 0;
        }
    }

    /// <summary>Returns stream-window credit, batched like the connection's; none once the client ended its side.</summary>
    private void CreditStreamUnsynchronized(Http2Stream stream, int bytes)
    {
        if (!stream.IsActive || stream.RemoteClosed || _closed)
        {
            return;
        }
        stream.PendingCredit += bytes;
        if (stream.PendingCredit >= _config.InitialStreamWindow / 2)
        {
            Http2FrameWriter.WriteWindowUpdate(_control, stream.Id, stream.PendingCredit);
            stream.ReceiveWindow += stream.PendingCredit;
            stream.PendingCredit = 0;
        }
    }

    /// <summary>Sends the queued control frames now unless a writer is busy (it sends them with its frames, or right after).</summary>
    private void ScheduleControlFlush()
    {
        lock (_sync)
        {
            if (!HasControlToFlushUnsynchronized())
            {
                return;
            }
        }
        FlushControlUnlessWriting();
    }

    private bool HasControlToFlushUnsynchronized() => _control.WrittenCount != 0 && !_closed;

    /// <summary><see cref="ScheduleControlFlush"/> once its check under the lock found control frames queued.</summary>
    private void FlushControlUnlessWriting()
    {
        if (_writeLock.Wait(0))
        {
            DetachedTask.Forget(FlushControlAsync());
        }
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private async ValueTask FlushControlAsync()
    {
        try
        {
            ReadOnlySequence<byte> control = TakeControl();
            if (!control.IsEmpty)
            {
                await _sender.SendAsync(control, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogConnectionFailed(_logger, _connection.Id, ex);
            _connection.Abort();
        }
        finally
        {
            _writeLock.Release();
        }
        ScheduleControlFlush();
    }

    /// <summary>The frame loop waits for the socket when the client does not read its control frames (PING, SETTINGS floods).</summary>
    private async ValueTask FlushControlIfBackloggedAsync()
    {
        lock (_sync)
        {
            if (_control.WrittenCount <= MaxControlBacklog)
            {
                return;
            }
        }
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            ReadOnlySequence<byte> control = TakeControl();
            if (!control.IsEmpty)
            {
                await _sender.SendAsync(control, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Write lock held: takes the queued control frames (valid until the next take).</summary>
    private ReadOnlySequence<byte> TakeControl()
    {
        lock (_sync)
        {
            if (_control.WrittenCount == 0)
            {
                return ReadOnlySequence<byte>.Empty;
            }
            // The other buffer's last send is over: the write lock is held.
            (_control, _controlSending) = (_controlSending, _control);
            _control.ResetWrittenCount();
            return new ReadOnlySequence<byte>(_controlSending.WrittenMemory);
        }
    }

    /// <summary>Sends a response head (<paramref name="trailers"/> null) or trailers as HEADERS (+ CONTINUATION); false when the stream is gone.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<bool> SendFieldsAsync(Http2Stream stream, HttpResponseHead? head, HttpHeaderList? trailers, bool endStream)
    {
        ValueTask<bool> sent;
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            lock (_sync)
            {
                if (stream.IsReset || _closed)
                {
                    return false;
                }
                if (endStream)
                {
                    EndLocalUnsynchronized(stream);
                }
            }
            ArrayBufferWriter<byte> frames = WriteHeadersFrame(stream, head, trailers, endStream);
            _pending.Append(frames.WrittenMemory);
            sent = QueueSend(stream);
        }
        finally
        {
            _writeLock.Release();
        }
        return await sent.ConfigureAwait(false);
    }

    /// <summary>
    /// Write lock held: encodes a response head (or trailers) and writes it as HEADERS (+ CONTINUATION) into
    /// <c>stream.Frames</c>, emptied first. The encoder's table follows the order blocks are sent in, so
    /// blocks are encoded under the write lock only.
    /// </summary>
    private ArrayBufferWriter<byte> WriteHeadersFrame(Http2Stream stream, HttpResponseHead? head, HttpHeaderList? trailers, bool endStream)
    {
        uint tableSize = _peerSettings.HeaderTableSize;
        if (tableSize != _encoderTableSize)
        {
            _encoder.SetPeerMaxTableSize(tableSize);
            _encoderTableSize = tableSize;
        }
        ArrayBufferWriter<byte> block = stream.FieldBlock;
        block.ResetWrittenCount();
        var writer = new HpackBlockWriter(block);
        if (head is not null)
        {
            EncodeHead(head, ref writer);
        }
        else if (trailers is not null)
        {
            EncodeFields(trailers, ref writer);
        }
        writer.Commit();
        ArrayBufferWriter<byte> frames = stream.Frames;
        frames.ResetWrittenCount();
        Http2FrameWriter.WriteHeaders(frames, stream.Id, block.WrittenSpan, endStream, _peerSettings.MaxFrameSize);
        stream.Exchange.ResponseBytes += frames.WrittenCount;
        return frames;
    }

    /// <summary>
    /// Queues the response head and the body's first bytes for one gathered send, when the client's windows take
    /// all of <paramref name="data"/> (a small response then costs one system call, not two); otherwise the head
    /// alone. <paramref name="sent"/> completes once the flush sent them. False, with nothing queued, when the
    /// write lock is held (by a flush, or another writer): <see cref="SendHeadWithDataAsync"/> then waits for it.
    /// </summary>
    /// <remarks>
    /// Not an async method: the caller awaits <paramref name="sent"/> itself, so a response does not suspend one
    /// more pooled method (each resumed level costs cache misses on its box with hundreds of streams in flight).
    /// </remarks>
    private bool TryQueueHeadWithData(Http2Stream stream, HttpResponseHead head, ReadOnlySequence<byte> data, bool endStream, out HeadSend result, out ValueTask<bool> sent)
    {
        if (!_writeLock.Wait(0))
        {
            result = default;
            sent = default;
            return false;
        }
        try
        {
            result = QueueHeadWithData(stream, head, data, endStream, out sent);
        }
        finally
        {
            _writeLock.Release();
        }
        return true;
    }

    /// <summary><see cref="TryQueueHeadWithData"/> when the write lock was busy: waits for it, then for the send.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<HeadSend> SendHeadWithDataAsync(Http2Stream stream, HttpResponseHead head, ReadOnlySequence<byte> data, bool endStream)
    {
        ValueTask<bool> sent;
        HeadSend result;
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            result = QueueHeadWithData(stream, head, data, endStream, out sent);
        }
        finally
        {
            _writeLock.Release();
        }
        await sent.ConfigureAwait(false);
        return result;
    }

    /// <summary>Write lock held: the work of <see cref="TryQueueHeadWithData"/>.</summary>
    private HeadSend QueueHeadWithData(Http2Stream stream, HttpResponseHead head, ReadOnlySequence<byte> data, bool endStream, out ValueTask<bool> sent)
    {
        long length = data.Length;
        bool withData;
        lock (_sync)
        {
            if (stream.IsReset || _closed)
            {
                sent = default;
                return HeadSend.StreamGone;
            }
            withData = length <= (long)MaxFramesPerSend * _peerSettings.MaxFrameSize
                && length <= _connectionSendWindow.Available
                && length <= stream.SendWindow.Available;
            if (withData)
            {
                _connectionSendWindow.TryConsume((int)length);
                stream.SendWindow.TryConsume((int)length);
                if (endStream)
                {
                    EndLocalUnsynchronized(stream);
                }
            }
        }
        ArrayBufferWriter<byte> frames = WriteHeadersFrame(stream, head, trailers: null, endStream: false);
        _pending.Append(frames.WrittenMemory);
        if (withData)
        {
            AppendDataFrames(stream, _pending, data, endStream);
        }
        sent = QueueSend(stream);
        return withData ? HeadSend.HeadAndData : HeadSend.HeadOnly;
    }

    /// <summary>
    /// Sends <paramref name="data"/> as DATA frames within the client's stream and connection windows, waiting
    /// for WINDOW_UPDATE when they are spent; false when the stream is gone.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<bool> SendDataAsync(Http2Stream stream, ReadOnlySequence<byte> data, bool endStream)
    {
        if (data.IsEmpty && !endStream)
        {
            return true;
        }
        while (true)
        {
            long remaining = data.Length;
            int allowed = 0;
            bool waiting = false;
            ValueTask<bool> wait = default;
            lock (_sync)
            {
                if (stream.IsReset || _closed)
                {
                    return false;
                }
                if (remaining > 0)
                {
                    long most = Math.Min(remaining, (long)MaxFramesPerSend * _peerSettings.MaxFrameSize);
                    allowed = (int)Math.Min(most, Math.Min(_connectionSendWindow.Available, stream.SendWindow.Available));
                    if (allowed == 0)
                    {
                        wait = stream.WaitForWindowUnsynchronized();
                        waiting = true;
                    }
                    else
                    {
                        _connectionSendWindow.TryConsume(allowed);
                        stream.SendWindow.TryConsume(allowed);
                    }
                }
            }
            if (waiting)
            {
                if (!await wait.ConfigureAwait(false))
                {
                    return false;
                }
                continue;
            }
            bool last = endStream && allowed == remaining;
            if (!await SendDataFramesAsync(stream, data.Slice(0, allowed), last).ConfigureAwait(false))
            {
                return false;
            }
            data = data.Slice(allowed);
            if (data.IsEmpty)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Queues [DATA header][payload slice] ... for the next batched send — the payload straight from the
    /// upstream's receive buffers, the headers from the stream's small buffer — and waits for it.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<bool> SendDataFramesAsync(Http2Stream stream, ReadOnlySequence<byte> payload, bool endStream)
    {
        int length = (int)payload.Length;
        ValueTask<bool> sent;
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            lock (_sync)
            {
                if (stream.IsReset || _closed)
                {
                    if (length > 0)
                    {
                        _connectionSendWindow.TryIncrease(length);       // never sent: the window is still ours
                    }
                    return false;
                }
                if (endStream)
                {
                    EndLocalUnsynchronized(stream);
                }
            }
            stream.Frames.ResetWrittenCount();
            AppendDataFrames(stream, _pending, payload, endStream);
            sent = QueueSend(stream);
        }
        finally
        {
            _writeLock.Release();
        }
        return await sent.ConfigureAwait(false);
    }

    /// <summary>
    /// Write lock held, windows already consumed: appends [DATA header][payload slice] ... to <paramref name="chain"/>,
    /// the headers written after whatever <c>stream.Frames</c> already holds, the payload straight from its buffers.
    /// </summary>
    private void AppendDataFrames(Http2Stream stream, Http1SendChain chain, ReadOnlySequence<byte> payload, bool endStream)
    {
        int length = (int)payload.Length;
        int maxFrame = _peerSettings.MaxFrameSize;
        int count = length == 0 ? 1 : (length + maxFrame - 1) / maxFrame;
        ArrayBufferWriter<byte> frames = stream.Frames;
        int start = frames.WrittenCount;
        for (int i = 0; i < count; i++)
        {
            int frameLength = Math.Min(maxFrame, length - (i * maxFrame));
            Http2FrameWriter.WriteDataHeader(frames, stream.Id, frameLength, endStream && i == count - 1);
        }
        ReadOnlyMemory<byte> headers = frames.WrittenMemory[start..];
        for (int i = 0; i < count; i++)
        {
            int offset = i * maxFrame;
            chain.Append(headers.Slice(i * Http2FrameHeader.Size, Http2FrameHeader.Size));
            chain.Append(payload.Slice(offset, Math.Min(maxFrame, length - offset)));
        }
        stream.Exchange.ResponseBytes += length + (count * Http2FrameHeader.Size);
    }

    /// <summary>
    /// Write lock held, the stream's frames appended to <c>_pending</c>: waits for the flush that sends them.
    /// The first stream of a batch queues the flush behind the socket events of this turn (whose streams
    /// queue their frames too), so that one send carries every response ready by then: at the end of the
    /// turn on a socket engine's thread, else on the thread pool's global queue.
    /// </summary>
    private ValueTask<bool> QueueSend(Http2Stream stream)
    {
        Http2SendWait wait = stream.SendWait;
        ValueTask<bool> sent = wait.Wait();
        _pendingWaits.Add(wait);
        bool schedule;
        lock (_sync)
        {
            _pendingSends++;
            schedule = !_flushQueued;
            _flushQueued = true;
        }
        if (schedule)
        {
            EpollEngine.QueueAfterEvents(this);
        }
        return sent;
    }

    /// <summary>The queued flush.</summary>
    void IThreadPoolWorkItem.Execute() => DetachedTask.Forget(FlushAsync());

    /// <summary>
    /// Sends the queued control frames and every stream's queued frames, then lets those streams go on.
    /// One flush runs at a time (<c>_flushQueued</c> stays set until it ends); streams that queue meanwhile
    /// go in the next one, queued at the end of this one.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private async ValueTask FlushAsync()
    {
        Exception? failure = null;
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            (_pending, _flushing) = (_flushing, _pending);
            (_pendingWaits, _flushingWaits) = (_flushingWaits, _pendingWaits);
            lock (_sync)
            {
                _pendingSends = 0;
            }
            // One gathered send: [queued control frames] [every stream's frames, in the order they were queued].
            _flushSend.Clear();
            _flushSend.Append(TakeControl());
            _flushSend.Append(_flushing.Build());
            ReadOnlySequence<byte> batch = _flushSend.Build();
            if (!batch.IsEmpty)
            {
                await _sender.SendAsync(batch, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failure = ex;
        }
        finally
        {
            _writeLock.Release();
        }
        _flushSend.Clear();
        _flushing.Clear();
        CompleteSends(_flushingWaits, failure);
        bool again;
        lock (_sync)
        {
            again = _pendingSends > 0;
            _flushQueued = again;
        }
        if (again)
        {
            EpollEngine.QueueAfterEvents(this);
        }
        ScheduleControlFlush();
    }

    /// <summary>Write lock held, the connection closing: sends what streams queued before the GOAWAY goes out after it.</summary>
    private async ValueTask SendPendingBeforeGoAwayAsync()
    {
        Exception? failure = null;
        try
        {
            ReadOnlySequence<byte> batch = _pending.Build();
            if (!batch.IsEmpty)
            {
                await _sender.SendAsync(batch, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failure = ex;
        }
        _pending.Clear();
        lock (_sync)
        {
            _pendingSends = 0;
        }
        CompleteSends(_pendingWaits, failure);
    }

    /// <summary>Lets the streams of a sent batch go on (each continues inline here), and empties the list.</summary>
    private static void CompleteSends(List<Http2SendWait> waits, Exception? failure)
    {
        foreach (Http2SendWait wait in waits)
        {
            if (failure is null)
            {
                wait.Sent();
            }
            else
            {
                wait.Failed(failure);
            }
        }
        waits.Clear();
    }

    /// <summary>END_STREAM sent: half-closed (local), or closed when the client had ended its side too.</summary>
    private void EndLocalUnsynchronized(Http2Stream stream)
    {
        stream.LocalClosed = true;
        stream.ResponseComplete = true;
        if (stream.RemoteClosed)
        {
            CloseStreamUnsynchronized(stream);
        }
    }

    /// <summary>:status, the fields (connection-specific ones dropped, names lowercased), content-length when known.</summary>
    private void EncodeHead(HttpResponseHead head, ref HpackBlockWriter block)
    {
        int status = head.StatusCode;
        Span<byte> digits = stackalloc byte[3];
        digits[0] = (byte)('0' + (status / 100 % 10));
        digits[1] = (byte)('0' + (status / 10 % 10));
        digits[2] = (byte)('0' + (status % 10));
        _encoder.EncodeField(":status"u8, digits, ref block);
        bool withLength = head.ContentLength >= 0 && status is >= 200 and not 204;
        EncodeFields(head.Headers, ref block, skipContentLength: withLength);
        if (withLength)
        {
            Span<byte> length = stackalloc byte[20];
            Utf8Formatter.TryFormat(head.ContentLength, length, out int written);
            _encoder.EncodeField("content-length"u8, length[..written], ref block);
        }
    }

    private void EncodeFields(HttpHeaderList fields, ref HpackBlockWriter block, bool skipContentLength = false)
    {
        for (int i = 0; i < fields.SlotCount; i++)
        {
            if (fields.IsRemoved(i))
            {
                continue;
            }
            ReadOnlySpan<byte> name = fields.GetName(i);
            if (IsConnectionSpecific(name) || (skipContentLength && name.Length == 14 && System.Text.Ascii.EqualsIgnoreCase(name, "content-length"u8)))
            {
                continue;
            }
            _encoder.EncodeField(name, fields.GetValue(i), ref block);
        }
    }

    /// <summary>RFC 9113 §8.2.2: fields HTTP/2 must not carry (an HTTP/1.1 upstream or a filter may have set them).</summary>
    private static bool IsConnectionSpecific(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 => System.Text.Ascii.EqualsIgnoreCase(name, "te"u8),
        7 => System.Text.Ascii.EqualsIgnoreCase(name, "upgrade"u8),
        10 => System.Text.Ascii.EqualsIgnoreCase(name, "connection"u8) || System.Text.Ascii.EqualsIgnoreCase(name, "keep-alive"u8),
        16 => System.Text.Ascii.EqualsIgnoreCase(name, "proxy-connection"u8),
        17 => System.Text.Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8),
        _ => false,
    };

    /// <summary>A stream rented for a request that turned out malformed: straight back to the pool.</summary>
    private void ReturnUnopened(Http2Stream stream)
    {
        lock (_sync)
        {
            stream.IsActive = false;
            RecycleUnsynchronized(stream);
        }
    }

    private void RecycleUnsynchronized(Http2Stream stream)
    {
        stream.Recycle();
        if (_pool.Count >= Math.Min(_config.MaxConcurrentStreams, 256))
        {
            stream.Dispose();
            return;
        }
        _pool.Push(stream);
    }

    /// <summary>What <see cref="TryQueueHeadWithData"/> queued.</summary>
    private enum HeadSend
    {
        StreamGone,
        HeadOnly,
        HeadAndData,
    }
}
