using System.Buffers;
using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Connection;
using Meshy.Filters.Http2.Frames;
using Meshy.Filters.Http2.Hpack;
using Meshy.Filters.Router;

namespace Meshy.Filters.HttpConnectionManager;

/// <summary>The frame loop's handling of each frame type (RFC 9113 §6) and of the stream states (§5.1).</summary>
internal sealed partial class Http2ServerConnection
{
    private void OnFrame(in Http2Frame frame)
    {
        // §3.4: the client's preface ends with a SETTINGS frame.
        if (!_settingsReceived && frame.Type != Http2FrameType.Settings)
        {
            Http2ProtocolException.ThrowConnectionError(Http2ErrorCode.ProtocolError, "the first frame is not SETTINGS");
        }
        switch (frame.Type)
        {
            case Http2FrameType.Headers:
                OnHeaders(frame);
                break;
            case Http2FrameType.Continuation:
                OnContinuation(frame);
                break;
            case Http2FrameType.Data:
                OnData(frame);
                break;
            case Http2FrameType.WindowUpdate:
                OnWindowUpdate(frame);
                break;
            case Http2FrameType.RstStream:
                OnRstStream(frame);
                break;
            case Http2FrameType.Settings:
                OnSettings(frame);
                break;
            case Http2FrameType.Ping:
                CountControlFrame();
                if (!frame.IsAck)
                {
                    lock (_sync)
                    {
                        Http2FrameWriter.WritePing(_control, frame.PingData, ack: true);
                    }
                    ScheduleControlFlush();
                }
                break;
            case Http2FrameType.Priority:
                // §5.3.2: priority signals are deprecated; accepted and ignored (a self-dependency is still an error).
                CountControlFrame();
                if (frame.StreamError is { } priorityError)
                {
                    Http2ProtocolException.Throw(priorityError);
                }
                break;
            case Http2FrameType.GoAway:
                lock (_sync)
                {
                    _peerGoAway = true;
                }
                LogGoAwayReceived(_logger, _connection.Id, frame.ErrorCode.ToString(), frame.LastStreamId);
                break;
            default:
                // §5.5: unknown frame types are ignored.
                CountControlFrame();
                break;
        }
    }

    /// <summary>
    /// HEADERS: a new stream's request head, or an open stream's trailers. The field block is decoded only
    /// once it is complete (END_HEADERS); until then its fragments are kept, within a bound.
    /// </summary>
    private void OnHeaders(in Http2Frame frame)
    {
        _blockStreamId = frame.StreamId;
        _blockEndStream = frame.EndStream;
        _blockStreamError = frame.StreamError;
        _blockFrames = 0;
        if (frame.EndHeaders)
        {
            OnFieldBlock(frame.Content);
            return;
        }
        _headerBlock.ResetWrittenCount();
        AppendBlock(frame.Content);
    }

    private void OnContinuation(in Http2Frame frame)
    {
        // The reader already checked that it continues the block in progress (§6.10).
        if (++_blockFrames > MaxContinuationFrames)
        {
            LogFlood(_logger, _connection.Id, "CONTINUATION frames");
            Http2ProtocolException.ThrowConnectionError(Http2ErrorCode.EnhanceYourCalm, "too many CONTINUATION frames");
        }
        AppendBlock(frame.Content);
        if (frame.EndHeaders)
        {
            OnFieldBlock(new ReadOnlySequence<byte>(_headerBlock.WrittenMemory));
        }
    }

    private void AppendBlock(in ReadOnlySequence<byte> fragment)
    {
        if (_headerBlock.WrittenCount + fragment.Length > _maxHeaderBlockBytes)
        {
            LogFlood(_logger, _connection.Id, "field block size");
            Http2ProtocolException.ThrowConnectionError(Http2ErrorCode.EnhanceYourCalm, "field block larger than the header list limit");
        }
        foreach (ReadOnlyMemory<byte> segment in fragment)
        {
            _headerBlock.Write(segment.Span);
        }
    }

    /// <summary>A complete field block for <see cref="_blockStreamId"/>.</summary>
    private void OnFieldBlock(in ReadOnlySequence<byte> block)
    {
        int id = _blockStreamId;
        bool endStream = _blockEndStream;
        Http2Stream? existing;
        bool idle;
        bool refuse = false;
        Http2Stream? pooled = null;
        // One lock round trip for a new stream: its lookup, its identifier, the refusal check and a pooled stream.
        lock (_sync)
        {
            _streams.TryGetValue(id, out existing);
            idle = id > _lastStreamId;
            if (existing is null && idle && (id & 1) != 0)
            {
                _lastStreamId = id;
                refuse = _goAwaySent || _closed || _openStreams >= _config.MaxConcurrentStreams;
                if (!refuse && _blockStreamError is null)
                {
                    _pool.TryPop(out pooled);
                }
            }
        }
        if (existing is not null)
        {
            OnTrailers(existing, block, endStream);
            return;
        }
        if (!idle)
        {
            // §5.1: HEADERS on a closed stream. The block is decoded first: the HPACK state must stay in sync.
            DecodeDiscarded(block);
            Http2ProtocolException.ThrowConnectionError(Http2ErrorCode.StreamClosed, "HEADERS on a closed stream");
        }
        if ((id & 1) == 0)
        {
            Http2ProtocolException.ThrowConnectionError(Http2ErrorCode.ProtocolError, "client stream with an even identifier");
        }
        if (_blockStreamError is { } streamError)
        {
            DecodeDiscarded(block);
            Http2ProtocolException.Throw(streamError);
        }
        if (refuse)
        {
            // §5.1.2: beyond SETTINGS_MAX_CONCURRENT_STREAMS (or after GOAWAY): REFUSED_STREAM, safe to retry.
            DecodeDiscarded(block);
            CountReset();
            QueueRstStream(id, Http2ErrorCode.RefusedStream);
            return;
        }
        OpenStream(pooled ?? new Http2Stream(_connection, _time, this), id, block, endStream);
    }

    private void OpenStream(Http2Stream stream, int id, in ReadOnlySequence<byte> block, bool endStream)
    {
        stream.Open(id, _peerSettings.InitialWindowSize, _config.InitialStreamWindow);
        HttpExchange exchange = stream.Exchange;
        HttpRequestHead request = exchange.Request;
        var fields = new Http2RequestFields(request, request.Headers, trailers: false);
        HpackDecodeResult decoded;
        try
        {
            decoded = _decoder.Decode(block, ref fields);
        }
        catch
        {
            // A connection error (bad HPACK): the stream goes back to the pool, which the connection's end disposes.
            ReturnUnopened(stream);
            throw;
        }
        fields.Finish();
        if (fields.Error is null && endStream && fields.ContentLength > 0)
        {
            ReturnUnopened(stream);
            RecordMalformedRequest();
            Http2ProtocolException.ThrowStreamError(Http2ErrorCode.ProtocolError, id, "content-length with no DATA");
        }
        if (fields.Error is { } malformed)
        {
            // §8.1.1: a malformed request is a stream error of type PROTOCOL_ERROR.
            ReturnUnopened(stream);
            RecordMalformedRequest();
            Http2ProtocolException.ThrowStreamError(Http2ErrorCode.ProtocolError, id, malformed);
        }
        request.Version = 20;
        request.HasBody = !endStream;
        request.ContentLength = request.HasBody ? fields.ContentLength : 0;
        request.AcceptsTrailers = fields.AcceptsTrailers;
        stream.ContentLength = fields.ContentLength;
        NormalizeHost(request);
        if (fields.CookieCount > 1)
        {
            JoinCookies(request.Headers);
        }
        // NOTE: Expect: 100-continue is dropped: flow control already stops a body the proxy is not ready for.
        request.Headers.Remove("expect"u8);
        if (decoded == HpackDecodeResult.HeaderListTooLarge || request.Headers.Count > _manager.Settings.Limits.MaxHeaderCount)
        {
            stream.LocalStatus = 431;
        }
        else if (RequestLineLength(request) > _manager.Settings.Limits.MaxRequestLineLength)
        {
            // max_request_line holds for every client: the request goes upstream as an HTTP/1.1 request line.
            stream.LocalStatus = 414;
        }
        else if (request.IsConnect)
        {
            stream.LocalStatus = 501;
        }

        ProxySnapshotBegin(stream);
        if (endStream)
        {
            // Not yet published, so nothing else can touch its body: ended without the body's lock.
            stream.Body.EndUnused();
        }
        lock (_sync)
        {
            _streams[id] = stream;
            _openStreams++;
            _servingStreams++;
            stream.IsServing = true;
            stream.RemoteClosed = endStream;
            DisarmIdleTimerUnsynchronized();
        }
        Serve(stream);
    }

    /// <summary>The HTTP/1.1 request line this request would have: <c>METHOD SP path[?query] SP HTTP/1.1</c>.</summary>
    private static long RequestLineLength(HttpRequestHead request) =>
        request.MethodBytes.Length + 1L + request.Path.Length + (request.HasQuery ? 1 + request.Query.Length : 0) + 9;

    /// <summary>
    /// A request reset as malformed never becomes an exchange: counted here, as HTTP/1.1 counts its 400s (DPE, no
    /// response). Its HEADERS arrived whole before decoding, so its duration starts now: no clock read per stream.
    /// </summary>
    private void RecordMalformedRequest() =>
        ResolveSnapshot().Telemetry.OnHttpRejected(_connection, 20, 0, ResponseFlags.DownstreamProtocolError, TurnClock.GetTimestamp(), 0);

    private void ProxySnapshotBegin(Http2Stream stream)
    {
        stream.Exchange.Begin(ResolveSnapshot());
        stream.Manager = _manager;
    }

    /// <summary>A HEADERS frame on an open stream: trailers, which must end the stream (§8.1).</summary>
    private void OnTrailers(Http2Stream stream, in ReadOnlySequence<byte> block, bool endStream)
    {
        bool remoteClosed;
        lock (_sync)
        {
            remoteClosed = stream.RemoteClosed;
        }
        if (remoteClosed)
        {
            DecodeDiscarded(block);
            Http2ProtocolException.ThrowStreamError(Http2ErrorCode.StreamClosed, stream.Id, "HEADERS after END_STREAM");
        }
        HttpHeaderList trailers = stream.Body.BeginTrailers();
        var fields = new Http2RequestFields(stream.Exchange.Request, trailers, trailers: true);
        _decoder.Decode(block, ref fields);
        if (_blockStreamError is { } streamError)
        {
            Http2ProtocolException.Throw(streamError);
        }
        if (!endStream)
        {
            Http2ProtocolException.ThrowStreamError(Http2ErrorCode.ProtocolError, stream.Id, "trailers without END_STREAM");
        }
        if (fields.Error is { } malformed)
        {
            Http2ProtocolException.ThrowStreamError(Http2ErrorCode.ProtocolError, stream.Id, malformed);
        }
        EndRemote(stream);
    }

    private void DecodeDiscarded(in ReadOnlySequence<byte> block)
    {
        var discard = new DiscardFields();
        _decoder.Decode(block, ref discard);
    }

    /// <summary>DATA: request body bytes, counted against both receive windows (§6.9.1).</summary>
    private void OnData(in Http2Frame frame)
    {
        int id = frame.StreamId;
        int length = frame.Header.Length;
        if (length == 0 && !frame.EndStream)
        {
            CountControlFrame();
        }
        lock (_sync)
        {
            // 1. the connection window, whatever the stream's state
            if (length > _connectionReceiveWindow)
            {
                Http2ProtocolException.ThrowConnectionError(Http2ErrorCode.FlowControlError, "DATA beyond the connection window");
            }
            _connectionReceiveWindow -= length;
            if (!_streams.TryGetValue(id, out Http2Stream? stream))
            {
                if (id > _lastStreamId)
                {
                    Http2ProtocolException.ThrowConnectionError(Http2ErrorCode.ProtocolError, "DATA on an idle stream");
                }
                // Closed: most likely reset by this side while the client's DATA was in flight; ignored (§5.1).
                CreditConnectionUnsynchronized(length);
                return;
            }
            if (stream.RemoteClosed)
            {
                CreditConnectionUnsynchronized(length);
                Http2ProtocolException.ThrowStreamError(Http2ErrorCode.StreamClosed, id, "DATA after END_STREAM");
            }
            // 2. the stream window
            if (length > stream.ReceiveWindow)
            {
                CreditConnectionUnsynchronized(length);
                Http2ProtocolException.ThrowStreamError(Http2ErrorCode.FlowControlError, id, "DATA beyond the stream window");
            }
            stream.ReceiveWindow -= length;
            ReadOnlySequence<byte> content = frame.Content;
            int padding = length - (int)content.Length;
            stream.ReceivedBodyBytes += content.Length;
            // 3. §8.1.1: content-length must match the DATA received
            if (stream.ContentLength >= 0 && stream.ReceivedBodyBytes > stream.ContentLength)
            {
                CreditConnectionUnsynchronized(length);
                Http2ProtocolException.ThrowStreamError(Http2ErrorCode.ProtocolError, id, "more DATA than content-length");
            }
            // 4. padding is never consumed: its credit goes back at once
            if (padding > 0)
            {
                CreditStreamUnsynchronized(stream, padding);
                CreditConnectionUnsynchronized(padding);
            }
            stream.Buffered += (int)content.Length;
            stream.Body.Append(content);
            if (frame.EndStream)
            {
                if (stream.ContentLength >= 0 && stream.ReceivedBodyBytes != stream.ContentLength)
                {
                    Http2ProtocolException.ThrowStreamError(Http2ErrorCode.ProtocolError, id, "less DATA than content-length");
                }
                EndRemoteUnsynchronized(stream);
            }
        }
        ScheduleControlFlush();
    }

    private void EndRemote(Http2Stream stream)
    {
        lock (_sync)
        {
            if (stream.ContentLength >= 0 && stream.ReceivedBodyBytes != stream.ContentLength)
            {
                Http2ProtocolException.ThrowStreamError(Http2ErrorCode.ProtocolError, stream.Id, "less DATA than content-length");
            }
            EndRemoteUnsynchronized(stream);
        }
    }

    private void EndRemoteUnsynchronized(Http2Stream stream)
    {
        stream.RemoteClosed = true;
        stream.Body.End();
        if (stream.LocalClosed)
        {
            CloseStreamUnsynchronized(stream);
        }
    }

    private void OnWindowUpdate(in Http2Frame frame)
    {
        int id = frame.StreamId;
        if (frame.StreamError is { } error)
        {
            Http2ProtocolException.Throw(error);
        }
        lock (_sync)
        {
            if (id == 0)
            {
                _connectionSendWindow.Increase(frame.WindowIncrement, 0);
                foreach (Http2Stream waiting in _streams.Values)
                {
                    waiting.WakeUnsynchronized(true);
                }
                return;
            }
            if (!_streams.TryGetValue(id, out Http2Stream? stream))
            {
                if (id > _lastStreamId)
                {
                    Http2ProtocolException.ThrowConnectionError(Http2ErrorCode.ProtocolError, "WINDOW_UPDATE on an idle stream");
                }
                return;         // closed: a late update, ignored (§5.1)
            }
            stream.SendWindow.Increase(frame.WindowIncrement, id);
            stream.WakeUnsynchronized(true);
        }
    }

    private void OnRstStream(in Http2Frame frame)
    {
        int id = frame.StreamId;
        Http2Stream? stream;
        lock (_sync)
        {
            if (!_streams.TryGetValue(id, out stream))
            {
                if (id > _lastStreamId)
                {
                    Http2ProtocolException.ThrowConnectionError(Http2ErrorCode.ProtocolError, "RST_STREAM on an idle stream");
                }
                return;
            }
            if (!stream.ResponseComplete)
            {
                // Rapid reset (CVE-2023-44487): every cancelled request cost the proxy one.
                CountReset();
            }
        }
        AbortStream(stream, frame.ErrorCode, sendReset: false);
    }

    private void OnSettings(in Http2Frame frame)
    {
        _settingsReceived = true;
        if (frame.IsAck)
        {
            return;
        }
        CountControlFrame();
        Http2Settings previous = _peerSettings;
        Http2Settings next = previous.Apply(frame.Payload);
        lock (_sync)
        {
            if (next.InitialWindowSize != previous.InitialWindowSize)
            {
                // §6.9.2: every open stream's window moves by the difference (possibly below zero).
                foreach (Http2Stream stream in _streams.Values)
                {
                    stream.SendWindow.AdjustInitialSize(previous.InitialWindowSize, next.InitialWindowSize);
                    stream.WakeUnsynchronized(true);
                }
            }
            _peerSettings = next;
            Http2FrameWriter.WriteSettingsAck(_control);
        }
        ScheduleControlFlush();
    }

    /// <summary>A stream error: RST_STREAM with <paramref name="code"/> (§5.4.2); the stream, if open, ends.</summary>
    private void ResetStream(int id, Http2ErrorCode code, string reason)
    {
        LogStreamError(_logger, _connection.Id, id, code.ToString(), reason);
        CountReset();
        Http2Stream? stream;
        lock (_sync)
        {
            _streams.TryGetValue(id, out stream);
        }
        if (stream is null)
        {
            QueueRstStream(id, code);
            return;
        }
        AbortStream(stream, code, sendReset: true);
    }

    /// <summary>
    /// Closes <paramref name="stream"/> now (reset either way, or the connection ended): its exchange is
    /// aborted (the client is gone for it), its body fails, a writer waiting for window stops.
    /// </summary>
    private void AbortStream(Http2Stream stream, Http2ErrorCode code, bool sendReset)
    {
        lock (_sync)
        {
            if (!stream.IsActive)
            {
                return;
            }
            if (sendReset && !_closed)
            {
                Http2FrameWriter.WriteRstStream(_control, stream.Id, code);
            }
            stream.IsReset = true;
            stream.Body.Fail(new IOException($"the stream was reset ({code})"));
            CloseStreamUnsynchronized(stream);
        }
        stream.Exchange.Abort(HttpAbortReason.DownstreamDisconnect);
        ScheduleControlFlush();
    }

    private void QueueRstStream(int id, Http2ErrorCode code)
    {
        lock (_sync)
        {
            if (!_closed)
            {
                Http2FrameWriter.WriteRstStream(_control, id, code);
            }
        }
        ScheduleControlFlush();
    }

    /// <summary>Takes the stream out of the table (closed): its concurrency slot and buffered credit are freed.</summary>
    private void CloseStreamUnsynchronized(Http2Stream stream)
    {
        if (!stream.IsActive)
        {
            return;
        }
        stream.IsActive = false;
        _streams.Remove(stream.Id);
        _openStreams--;
        if (stream.Buffered > 0)
        {
            CreditConnectionUnsynchronized(stream.Buffered);
            stream.Buffered = 0;
        }
        stream.WakeUnsynchronized(false);
        if (_openStreams == 0)
        {
            if (_goAwaySent || _peerGoAway)
            {
                Wake(WakeCheckClose);
            }
            else if (!_closed)
            {
                ArmIdleTimer();
            }
        }
        if (!stream.IsServing)
        {
            RecycleUnsynchronized(stream);
        }
    }

    private void CountReset()
    {
        if (!_resets.TryCount(_time.GetTimestamp(), _floodWindowTicks))
        {
            LogFlood(_logger, _connection.Id, "stream resets");
            Http2ProtocolException.ThrowConnectionError(Http2ErrorCode.EnhanceYourCalm, "too many streams reset");
        }
    }

    private void CountControlFrame()
    {
        if (!_controlFrames.TryCount(_time.GetTimestamp(), _floodWindowTicks))
        {
            LogFlood(_logger, _connection.Id, "control frames");
            Http2ProtocolException.ThrowConnectionError(Http2ErrorCode.EnhanceYourCalm, "too many control frames");
        }
    }

    /// <summary>§8.3.1: <c>:authority</c> wins over <c>host</c>; the HTTP/1.1 writer regenerates host from the authority.</summary>
    private static void NormalizeHost(HttpRequestHead request)
    {
        int host = request.Headers.IndexOf("host"u8);
        if (host < 0)
        {
            return;
        }
        if (request.Authority.IsEmpty)
        {
            request.SetAuthority(request.Headers.GetValue(host));
        }
        request.Headers.Remove("host"u8);
    }

    /// <summary>§8.2.3: cookie crumbs sent as separate fields are joined with "; " for HTTP/1.1.</summary>
    private static void JoinCookies(HttpHeaderList headers)
    {
        int total = 0;
        int count = 0;
        for (int i = headers.IndexOf("cookie"u8); i >= 0; i = headers.IndexOf("cookie"u8, i + 1))
        {
            total += headers.GetValue(i).Length;
            count++;
        }
        byte[] joined = ArrayPool<byte>.Shared.Rent(total + (2 * count));
        try
        {
            int length = 0;
            for (int i = headers.IndexOf("cookie"u8); i >= 0; i = headers.IndexOf("cookie"u8, i + 1))
            {
                if (length > 0)
                {
                    "; "u8.CopyTo(joined.AsSpan(length));
                    length += 2;
                }
                ReadOnlySpan<byte> value = headers.GetValue(i);
                value.CopyTo(joined.AsSpan(length));
                length += value.Length;
            }
            headers.Set("cookie"u8, joined.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(joined);
        }
    }

    /// <summary>Decodes fields nobody needs (a refused stream's): HPACK state must follow every block.</summary>
    private struct DiscardFields : IHpackFieldSink
    {
        public readonly void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed)
        {
        }
    }
}
