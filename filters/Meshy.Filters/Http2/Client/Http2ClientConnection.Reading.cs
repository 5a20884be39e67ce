using System.Buffers;
using System.IO.Pipelines;
using Meshy.Filters.Http2.Frames;
using Meshy.Filters.Http2.Hpack;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Http2.Client;

internal sealed partial class Http2ClientConnection
{
    /// <summary>
    /// Reads frames until the connection ends, then fails every stream still open: a clean end before a
    /// response head reads as "closed" (<c>UC</c>), anything else as a reset (<c>UR</c>).
    /// </summary>
    private async Task ReadLoopAsync()
    {
        PipeReader input = _connection.Transport.Input;
        Exception? failure = null;
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    break;
                }
                SequencePosition consumed = ReadFrames(result.Buffer);
                input.AdvanceTo(consumed, result.Buffer.End);
                FlushControlSoon();
                RecycleReleasedStreams();
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Http2ProtocolException ex)
        {
            // A connection error (§5.4.1): GOAWAY with its code, then close.
            failure = ex;
            LogConnectionError(_connection.Endpoint.Address, ex.Message);
            SendGoAwayBestEffort(ex.Code);
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        Close(failure);
    }

    private SequencePosition ReadFrames(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (_reader.TryReadFrame(ref reader, out Http2Frame frame))
        {
            Dispatch(in frame);
        }
        return reader.Position;
    }

    private void Dispatch(in Http2Frame frame)
    {
        switch (frame.Type)
        {
            case Http2FrameType.Data:
                OnData(in frame);
                break;
            case Http2FrameType.Headers:
            case Http2FrameType.Continuation:
                OnHeaderFragment(in frame);
                break;
            case Http2FrameType.RstStream:
                OnRstStream(frame.StreamId, frame.ErrorCode);
                break;
            case Http2FrameType.Settings:
                if (!frame.IsAck)
                {
                    OnSettings(frame.Payload);
                }
                break;
            case Http2FrameType.Ping:
                if (!frame.IsAck)
                {
                    QueuePingAck(frame.PingData);
                }
                break;
            case Http2FrameType.GoAway:
                OnGoAway(frame.LastStreamId, frame.ErrorCode);
                break;
            case Http2FrameType.WindowUpdate:
                OnWindowUpdate(in frame);
                break;
            default:
                // PRIORITY and unknown types: nothing to do (§5.5, §6.3).
                break;
        }
    }

    private void OnData(in Http2Frame frame)
    {
        int length = (int)frame.Payload.Length;
        // 1. the connection window: credited on receipt, in batches of half the window
        _receiveUnacked += length;
        if (_receiveUnacked >= ConnectionReceiveWindow / 2)
        {
            QueueControl(Http2ControlFrame.WindowUpdate, 0, (uint)_receiveUnacked);
            _receiveUnacked = 0;
        }
        if (frame.StreamError is { } error)
        {
            FailStream(frame.StreamId, new Http2ProtocolException(error), reset: error.Code);
            return;
        }
        // 2. the stream, found and fed in one round trip of the lock: its window is credited as the consumer
        //    advances (padding at once)
        Http2ClientStream? stream;
        Exception? failure;
        lock (_lock)
        {
            if (!_streams.TryGetValue(frame.StreamId, out stream))
            {
                return;     // a stream we reset or released: its DATA is dropped (§5.1, closed state)
            }
            failure = stream.OnDataUnsynchronized(frame.Content, length - (int)frame.Content.Length, frame.EndStream);
        }
        if (failure is not null)
        {
            stream.Fail(failure, unprocessed: false);
            RemoveStream(stream, reset: true);
        }
    }

    private void OnHeaderFragment(in Http2Frame frame)
    {
        // 1. a field block may span HEADERS + CONTINUATION frames (§4.3): join them, decode once complete
        if (frame.Type == Http2FrameType.Headers)
        {
            _headerFragments.ResetWrittenCount();
            _headerEndStream = frame.EndStream;
            _headerStreamError = frame.StreamError;
        }
        if (!frame.EndHeaders)
        {
            foreach (ReadOnlyMemory<byte> segment in frame.Content)
            {
                _headerFragments.Write(segment.Span);
            }
            return;
        }
        Http2ClientStream? stream;
        lock (_lock)
        {
            _streams.TryGetValue(frame.StreamId, out stream);
        }
        // 2. every block goes through the decoder, even for a stream that is gone (the tables must agree)
        bool trailers = stream is { HeadReceived: true };
        var sink = new Http2ResponseFieldSink(stream?.ReceivingFields(trailers), trailers);
        HpackDecodeResult decoded;
        if (_headerFragments.WrittenCount == 0)
        {
            decoded = _decoder.Decode(frame.Content, ref sink);
        }
        else
        {
            foreach (ReadOnlyMemory<byte> segment in frame.Content)
            {
                _headerFragments.Write(segment.Span);
            }
            decoded = _decoder.Decode(_headerFragments.WrittenSpan, ref sink);
            _headerFragments.ResetWrittenCount();
        }
        if (decoded == HpackDecodeResult.HeaderListTooLarge)
        {
            sink.Malformed ??= "response field section larger than the proxy accepts";
        }
        if (stream is null)
        {
            return;
        }
        if (_headerStreamError is { } error)
        {
            FailStream(frame.StreamId, new Http2ProtocolException(error), reset: error.Code);
            return;
        }
        if (sink.Malformed is { } reason)
        {
            // §8.1.1: a malformed response is a stream error of type PROTOCOL_ERROR (answered 502).
            FailStream(frame.StreamId, new Http2ProtocolException(Http2Error.Stream(Http2ErrorCode.ProtocolError, frame.StreamId, reason)), Http2ErrorCode.ProtocolError);
            return;
        }
        if (!stream.OnFields(in sink, _headerEndStream, out string? violation))
        {
            FailStream(frame.StreamId, new Http2ProtocolException(Http2Error.Stream(Http2ErrorCode.ProtocolError, frame.StreamId, violation!)), Http2ErrorCode.ProtocolError);
        }
    }

    private bool _headerEndStream;
    private Http2Error? _headerStreamError;

    private void OnRstStream(int streamId, Http2ErrorCode code)
    {
        Http2ClientStream? stream;
        lock (_lock)
        {
            if (_streams.Remove(streamId, out stream))
            {
                stream.Closed = true;
            }
        }
        // REFUSED_STREAM: the peer did not process it (§8.7), so it may go again.
        stream?.Fail(new Http2StreamResetException(code, $"upstream reset the stream ({code})"), unprocessed: code == Http2ErrorCode.RefusedStream);
    }

    private void OnSettings(ReadOnlySequence<byte> payload)
    {
        lock (_lock)
        {
            Http2Settings previous = _peer;
            Http2Settings next = previous.Apply(payload);
            if (next.InitialWindowSize != previous.InitialWindowSize)
            {
                // §6.9.2: every open stream's send window moves by the difference
                foreach (Http2ClientStream stream in _streams.Values)
                {
                    stream.SendWindow.AdjustInitialSize(previous.InitialWindowSize, next.InitialWindowSize);
                    stream.WakeWindowWaiterUnsynchronized();
                }
            }
            if (next.HeaderTableSize != previous.HeaderTableSize)
            {
                // NOTE: the encoder belongs to the queue's lock; its holder applies the size before the next block.
                Volatile.Write(ref _tableSizeChanged, true);
            }
            Volatile.Write(ref _peer, next);
        }
        QueueControl(Http2ControlFrame.SettingsAck, 0, 0);
        _ready.TrySetResult(true);
        Pool?.OnConnectionChanged(this);
    }

    private void OnGoAway(int lastStreamId, Http2ErrorCode code)
    {
        // §6.8: streams above last-stream-id were not processed and may be retried on another connection.
        List<Http2ClientStream>? unprocessed = null;
        lock (_lock)
        {
            Volatile.Write(ref _goAwayLastStreamId, Math.Min(lastStreamId, _goAwayLastStreamId));
            foreach (Http2ClientStream stream in _streams.Values)
            {
                if (stream.Id > lastStreamId)
                {
                    (unprocessed ??= []).Add(stream);
                }
            }
            if (unprocessed is not null)
            {
                foreach (Http2ClientStream stream in unprocessed)
                {
                    _streams.Remove(stream.Id);
                    stream.Closed = true;
                }
            }
        }
        LogGoAway(_connection.Endpoint.Address, lastStreamId, code, unprocessed?.Count ?? 0);
        if (unprocessed is not null)
        {
            foreach (Http2ClientStream stream in unprocessed)
            {
                stream.Fail(new Http2StreamResetException(Http2ErrorCode.RefusedStream, "upstream sent GOAWAY before processing the stream"), unprocessed: true);
            }
        }
        Pool?.OnConnectionChanged(this);
    }

    private void OnWindowUpdate(in Http2Frame frame)
    {
        if (frame.StreamError is { } error)
        {
            FailStream(frame.StreamId, new Http2ProtocolException(error), error.Code);
            return;
        }
        lock (_lock)
        {
            if (frame.StreamId == 0)
            {
                _sendWindow.Increase(frame.WindowIncrement, 0);
                foreach (Http2ClientStream stream in _streams.Values)
                {
                    stream.WakeWindowWaiterUnsynchronized();
                }
                return;
            }
            if (_streams.TryGetValue(frame.StreamId, out Http2ClientStream? target))
            {
                if (!target.SendWindow.TryIncrease(frame.WindowIncrement))
                {
                    target = null;
                }
                else
                {
                    target.WakeWindowWaiterUnsynchronized();
                    return;
                }
            }
            else
            {
                return;
            }
        }
        FailStream(frame.StreamId, new Http2ProtocolException(Http2Error.Stream(Http2ErrorCode.FlowControlError, frame.StreamId, "window above 2^31-1")), Http2ErrorCode.FlowControlError);
    }

    /// <summary>A stream error (§5.4.2): RST_STREAM to the peer, the error to the stream's reader.</summary>
    private void FailStream(int streamId, Exception failure, Http2ErrorCode reset)
    {
        Http2ClientStream? stream;
        lock (_lock)
        {
            if (_streams.Remove(streamId, out stream))
            {
                stream.Closed = true;
            }
        }
        QueueControl(Http2ControlFrame.RstStream, streamId, (uint)reset);
        stream?.Fail(failure, unprocessed: false);
    }

    /// <summary>The read loop ended: no more streams; every open one fails; the pool forgets the connection.</summary>
    private void Close(Exception? failure)
    {
        List<Http2ClientStream> open;
        lock (_lock)
        {
            Volatile.Write(ref _closed, true);
            open = [.. _streams.Values];
            _streams.Clear();
        }
        _ready.TrySetResult(false);
        foreach (Http2ClientStream stream in open)
        {
            stream.Closed = true;
            stream.OnConnectionEnded(failure);
        }
        LogClosed(_connection.Endpoint.Address, open.Count, failure?.Message ?? "closed by the upstream");
        Dispose();
        Pool?.OnConnectionClosed(this);
    }

    private void SendGoAwayBestEffort(Http2ErrorCode code)
    {
        if (!_sendLock.Wait(0))
        {
            return;
        }
        try
        {
            var output = new ArrayBufferWriter<byte>(32);
            Http2FrameWriter.WriteGoAway(output, 0, code, default);
            _connection.Socket.Send(output.WrittenSpan);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // Closing anyway.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.Http2UpstreamGoAway, Level = LogLevel.Debug,
        Message = "HTTP/2 upstream {Endpoint} sent GOAWAY (last stream {LastStreamId}, {Code}); {Unprocessed} unprocessed stream(s) will be retried")]
    private partial void LogGoAway(string endpoint, int lastStreamId, Http2ErrorCode code, int unprocessed);

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.Http2UpstreamProtocolError, Level = LogLevel.Debug,
        Message = "HTTP/2 upstream {Endpoint} broke the protocol: {Reason}; connection closed with GOAWAY")]
    private partial void LogConnectionError(string endpoint, string reason);

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.Http2UpstreamClosed, Level = LogLevel.Debug,
        Message = "HTTP/2 upstream connection to {Endpoint} closed with {Open} open stream(s): {Reason}")]
    private partial void LogClosed(string endpoint, int open, string reason);
}
