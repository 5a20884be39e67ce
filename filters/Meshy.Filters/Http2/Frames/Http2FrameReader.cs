using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Meshy.Filters.Http2.Frames;

/// <summary>
/// Reads HTTP/2 frames (RFC 9113 §4, §6) from a <see cref="SequenceReader{T}"/> of any segmentation
/// and checks each against the rules of its type. One reader per connection: it enforces the
/// advertised SETTINGS_MAX_FRAME_SIZE and remembers an unfinished field block, because nothing but
/// its CONTINUATION frames may follow one (§6.10).
/// </summary>
/// <remarks>
/// <see cref="TryReadFrame"/> returns false and consumes nothing until a whole frame is there; the
/// payload is a slice of the input, never copied. Errors:
/// <list type="bullet">
/// <item>connection errors throw <see cref="Http2ProtocolException"/> (checks that need only the
/// 9-byte header, such as an oversized length, fire before the payload has arrived);</item>
/// <item>stream errors come back on the frame (<see cref="Http2Frame.StreamError"/>), the frame consumed,
/// so that the connection resets the stream and reads on.</item>
/// </list>
/// Frames of unknown types are returned like the others; the caller ignores them (§5.5).
/// </remarks>
internal sealed class Http2FrameReader
{
    private int _maxFrameSize;
    private int _headerBlockStreamId;

    /// <summary>A reader for a server (<paramref name="isServer"/>) or a client connection.</summary>
    /// <param name="isServer">True when the peer is a client: PUSH_PROMISE is then refused (§8.4).</param>
    /// <param name="maxFrameSize">The SETTINGS_MAX_FRAME_SIZE this side advertised.</param>
    public Http2FrameReader(bool isServer, int maxFrameSize = Http2Settings.MinMaxFrameSize)
    {
        IsServer = isServer;
        MaxFrameSize = maxFrameSize;
    }

    /// <summary>True when this side is the server.</summary>
    public bool IsServer { get; }

    /// <summary>
    /// The largest payload accepted, 16384..16777215: the SETTINGS_MAX_FRAME_SIZE this side advertised
    /// (raise it once the peer has acknowledged the SETTINGS frame that announced it).
    /// </summary>
    public int MaxFrameSize
    {
        get => _maxFrameSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, Http2Settings.MinMaxFrameSize);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Http2Settings.MaxMaxFrameSize);
            _maxFrameSize = value;
        }
    }

    /// <summary>
    /// A client only: true when it advertised SETTINGS_ENABLE_PUSH = 1. Otherwise PUSH_PROMISE is a
    /// PROTOCOL_ERROR (§6.6). Default false (Meshy never accepts pushes).
    /// </summary>
    public bool AcceptPushPromise { get; set; }

    /// <summary>The stream whose field block awaits CONTINUATION frames; 0 when none.</summary>
    public int HeaderBlockStreamId => _headerBlockStreamId;

    /// <summary>
    /// Reads one frame. True: <paramref name="frame"/> is filled and <paramref name="reader"/> is past
    /// it. False: more bytes are needed, nothing consumed. Throws <see cref="Http2ProtocolException"/>
    /// (connection scope) on a connection error.
    /// </summary>
    public bool TryReadFrame(ref SequenceReader<byte> reader, out Http2Frame frame)
    {
        frame = default;
        if (reader.Remaining < Http2FrameHeader.Size)
        {
            return false;
        }
        Http2FrameHeader header = PeekHeader(ref reader);
        CheckHeader(header);
        if (reader.Remaining - Http2FrameHeader.Size < header.Length)
        {
            return false;
        }
        ReadOnlySequence<byte> payload = reader.UnreadSequence.Slice(Http2FrameHeader.Size, header.Length);
        frame = ReadPayload(header, payload);
        reader.Advance(Http2FrameHeader.Size + header.Length);
        TrackHeaderBlock(header);
        return true;
    }

    private static Http2FrameHeader PeekHeader(ref SequenceReader<byte> reader)
    {
        ReadOnlySpan<byte> span = reader.UnreadSpan;
        if (span.Length >= Http2FrameHeader.Size)
        {
            return Http2FrameHeader.Read(span);
        }
        Span<byte> copy = stackalloc byte[Http2FrameHeader.Size];
        reader.TryCopyTo(copy);
        return Http2FrameHeader.Read(copy);
    }

    /// <summary>The checks that need only the header: connection errors, before the payload is awaited.</summary>
    private void CheckHeader(Http2FrameHeader header)
    {
        // §4.2: a frame larger than the advertised maximum. Treated as a connection error for every
        // type (allowed: an endpoint may treat any stream error as a connection error, §5.4.1).
        if (header.Length > _maxFrameSize)
        {
            Fail(Http2ErrorCode.FrameSizeError, "frame larger than SETTINGS_MAX_FRAME_SIZE");
        }

        // §6.10: once a field block has begun, only its CONTINUATION frames may follow.
        if (_headerBlockStreamId != 0)
        {
            if (header.Type != Http2FrameType.Continuation || header.StreamId != _headerBlockStreamId)
            {
                Fail(Http2ErrorCode.ProtocolError, "field block interrupted before END_HEADERS");
            }
        }
        else if (header.Type == Http2FrameType.Continuation)
        {
            Fail(Http2ErrorCode.ProtocolError, "CONTINUATION without a preceding HEADERS or PUSH_PROMISE");
        }

        bool onConnection = header.StreamId == 0;
        switch (header.Type)
        {
            case Http2FrameType.Data:
            case Http2FrameType.Headers:
            case Http2FrameType.Priority:
            case Http2FrameType.RstStream:
            case Http2FrameType.Continuation:
                if (onConnection)
                {
                    Fail(Http2ErrorCode.ProtocolError, "frame type requires a stream identifier");
                }
                break;
            case Http2FrameType.PushPromise:
                if (IsServer || !AcceptPushPromise)
                {
                    Fail(Http2ErrorCode.ProtocolError, IsServer ? "PUSH_PROMISE from a client" : "PUSH_PROMISE with push disabled");
                }
                if (onConnection)
                {
                    Fail(Http2ErrorCode.ProtocolError, "frame type requires a stream identifier");
                }
                break;
            case Http2FrameType.Settings:
                if (!onConnection)
                {
                    Fail(Http2ErrorCode.ProtocolError, "SETTINGS on a stream");
                }
                if (header.HasFlag(Http2FrameFlags.Ack) && header.Length != 0)
                {
                    Fail(Http2ErrorCode.FrameSizeError, "SETTINGS ACK with a payload");
                }
                if (header.Length % 6 != 0)
                {
                    Fail(Http2ErrorCode.FrameSizeError, "SETTINGS length not a multiple of 6");
                }
                break;
            case Http2FrameType.Ping:
                if (!onConnection)
                {
                    Fail(Http2ErrorCode.ProtocolError, "PING on a stream");
                }
                if (header.Length != 8)
                {
                    Fail(Http2ErrorCode.FrameSizeError, "PING length other than 8");
                }
                break;
            case Http2FrameType.GoAway:
                if (!onConnection)
                {
                    Fail(Http2ErrorCode.ProtocolError, "GOAWAY on a stream");
                }
                if (header.Length < 8)
                {
                    Fail(Http2ErrorCode.FrameSizeError, "GOAWAY shorter than 8 bytes");
                }
                break;
        }

        if (header.Type == Http2FrameType.RstStream && header.Length != 4)
        {
            Fail(Http2ErrorCode.FrameSizeError, "RST_STREAM length other than 4");
        }
        if (header.Type == Http2FrameType.WindowUpdate && header.Length != 4)
        {
            Fail(Http2ErrorCode.FrameSizeError, "WINDOW_UPDATE length other than 4");
        }
    }

    private Http2Frame ReadPayload(Http2FrameHeader header, ReadOnlySequence<byte> payload)
    {
        Span<byte> scratch = stackalloc byte[8];
        switch (header.Type)
        {
            case Http2FrameType.Data:
            {
                // §6.1
                //   +---------------+-----------------------------------------------+
                //   |Pad Length? (8)|  Data (*)  ...  Padding (*)                    |
                //   +---------------+-----------------------------------------------+
                int padLength = ReadPadLength(header, payload);
                return new Http2Frame
                {
                    Header = header,
                    Payload = payload,
                    PadLength = padLength,
                    Content = Unpad(header, payload, padLength, fixedLength: 0),
                };
            }
            case Http2FrameType.Headers:
            {
                // §6.2
                //   |Pad Length? (8)|E|Stream Dependency? (31)|Weight? (8)|Field Block Fragment (*)|Padding (*)|
                int padLength = ReadPadLength(header, payload);
                int offset = header.HasFlag(Http2FrameFlags.Padded) ? 1 : 0;
                Http2Priority? priority = null;
                Http2Error? streamError = null;
                if (header.HasFlag(Http2FrameFlags.Priority))
                {
                    if (payload.Length < offset + Http2Priority.Length)
                    {
                        Fail(Http2ErrorCode.FrameSizeError, "HEADERS too short for its priority fields");
                    }
                    priority = ReadPriority(Peek(payload.Slice(offset), Http2Priority.Length, scratch));
                    streamError = CheckSelfDependency(header, priority.Value);
                }
                return new Http2Frame
                {
                    Header = header,
                    Payload = payload,
                    PadLength = padLength,
                    Priority = priority,
                    StreamError = streamError,
                    Content = Unpad(header, payload, padLength, fixedLength: priority is null ? 0 : Http2Priority.Length),
                };
            }
            case Http2FrameType.Priority:
            {
                // §6.3: a wrong length is a stream error (the frame affects one stream only).
                if (header.Length != Http2Priority.Length)
                {
                    return new Http2Frame
                    {
                        Header = header,
                        Payload = payload,
                        StreamError = Http2Error.Stream(Http2ErrorCode.FrameSizeError, header.StreamId, "PRIORITY length other than 5"),
                    };
                }
                Http2Priority priority = ReadPriority(Peek(payload, Http2Priority.Length, scratch));
                return new Http2Frame
                {
                    Header = header,
                    Payload = payload,
                    Priority = priority,
                    StreamError = CheckSelfDependency(header, priority),
                };
            }
            case Http2FrameType.RstStream:
                // §6.4: |Error Code (32)|
                return new Http2Frame
                {
                    Header = header,
                    Payload = payload,
                    ErrorCode = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(Peek(payload, 4, scratch)),
                };
            case Http2FrameType.Settings:
                CheckSettingsValues(payload);
                return new Http2Frame { Header = header, Payload = payload };
            case Http2FrameType.PushPromise:
            {
                // §6.6: |Pad Length? (8)|R|Promised Stream ID (31)|Field Block Fragment (*)|Padding (*)|
                int padLength = ReadPadLength(header, payload);
                int offset = header.HasFlag(Http2FrameFlags.Padded) ? 1 : 0;
                if (payload.Length < offset + 4)
                {
                    Fail(Http2ErrorCode.FrameSizeError, "PUSH_PROMISE too short for its promised stream");
                }
                int promised = (int)(BinaryPrimitives.ReadUInt32BigEndian(Peek(payload.Slice(offset), 4, scratch)) & 0x7fff_ffffu);
                return new Http2Frame
                {
                    Header = header,
                    Payload = payload,
                    PadLength = padLength,
                    PromisedStreamId = promised,
                    Content = Unpad(header, payload, padLength, fixedLength: 4),
                };
            }
            case Http2FrameType.Ping:
                // §6.7: |Opaque Data (64)|
                return new Http2Frame
                {
                    Header = header,
                    Payload = payload,
                    PingData = BinaryPrimitives.ReadUInt64BigEndian(Peek(payload, 8, scratch)),
                };
            case Http2FrameType.GoAway:
            {
                // §6.8: |R|Last-Stream-ID (31)|Error Code (32)|Additional Debug Data (*)|
                ReadOnlySpan<byte> fixedFields = Peek(payload, 8, scratch);
                return new Http2Frame
                {
                    Header = header,
                    Payload = payload,
                    LastStreamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(fixedFields) & 0x7fff_ffffu),
                    ErrorCode = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(fixedFields[4..]),
                    Content = payload.Slice(8),
                };
            }
            case Http2FrameType.WindowUpdate:
            {
                // §6.9: |R|Window Size Increment (31)|; 0 is a stream error on a stream, else a connection error.
                int increment = (int)(BinaryPrimitives.ReadUInt32BigEndian(Peek(payload, 4, scratch)) & 0x7fff_ffffu);
                Http2Error? streamError = null;
                if (increment == 0)
                {
                    if (header.StreamId == 0)
                    {
                        Fail(Http2ErrorCode.ProtocolError, "WINDOW_UPDATE with an increment of 0");
                    }
                    streamError = Http2Error.Stream(Http2ErrorCode.ProtocolError, header.StreamId, "WINDOW_UPDATE with an increment of 0");
                }
                return new Http2Frame { Header = header, Payload = payload, WindowIncrement = increment, StreamError = streamError };
            }
            case Http2FrameType.Continuation:
                // §6.10: |Field Block Fragment (*)|
                return new Http2Frame { Header = header, Payload = payload, Content = payload };
            default:
                return new Http2Frame { Header = header, Payload = payload };
        }
    }

    private void TrackHeaderBlock(Http2FrameHeader header)
    {
        if (header.Type is Http2FrameType.Headers or Http2FrameType.PushPromise or Http2FrameType.Continuation)
        {
            _headerBlockStreamId = header.HasFlag(Http2FrameFlags.EndHeaders) ? 0 : header.StreamId;
        }
    }

    private static int ReadPadLength(Http2FrameHeader header, ReadOnlySequence<byte> payload)
    {
        if (!header.HasFlag(Http2FrameFlags.Padded))
        {
            return 0;
        }
        if (payload.IsEmpty)
        {
            Fail(Http2ErrorCode.FrameSizeError, "PADDED frame without a Pad Length");
        }
        return payload.FirstSpan.IsEmpty ? FirstByte(payload) : payload.FirstSpan[0];
    }

    /// <summary>
    /// The content between the fixed fields and the padding. §6.1, §6.2, §6.6: padding as long as
    /// what remains of the payload, or longer, is a PROTOCOL_ERROR connection error.
    /// </summary>
    private static ReadOnlySequence<byte> Unpad(Http2FrameHeader header, ReadOnlySequence<byte> payload, int padLength, int fixedLength)
    {
        int start = (header.HasFlag(Http2FrameFlags.Padded) ? 1 : 0) + fixedLength;
        long contentLength = payload.Length - start - padLength;
        if (contentLength < 0)
        {
            Fail(Http2ErrorCode.ProtocolError, "padding longer than the frame payload");
        }
        return payload.Slice(start, contentLength);
    }

    private static Http2Priority ReadPriority(ReadOnlySpan<byte> fields)
    {
        uint dependency = BinaryPrimitives.ReadUInt32BigEndian(fields);
        return new Http2Priority((int)(dependency & 0x7fff_ffffu), (dependency & 0x8000_0000u) != 0, fields[4] + 1);
    }

    /// <summary>§5.3.1: a stream cannot depend on itself; a stream error.</summary>
    private static Http2Error? CheckSelfDependency(Http2FrameHeader header, Http2Priority priority) =>
        priority.StreamDependency == header.StreamId
            ? Http2Error.Stream(Http2ErrorCode.ProtocolError, header.StreamId, "stream depends on itself")
            : null;

    private static void CheckSettingsValues(ReadOnlySequence<byte> payload)
    {
        Span<byte> parameter = stackalloc byte[6];
        for (long offset = 0; offset < payload.Length; offset += 6)
        {
            (Http2SettingId id, uint value) = Http2Settings.ReadParameter(Peek(payload.Slice(offset), 6, parameter));
            if (Http2Settings.Validate(id, value) is { } error)
            {
                Http2ProtocolException.Throw(error);
            }
        }
    }

    /// <summary>The first <paramref name="length"/> bytes: in place when contiguous, else copied to <paramref name="scratch"/>.</summary>
    private static ReadOnlySpan<byte> Peek(ReadOnlySequence<byte> source, int length, Span<byte> scratch)
    {
        ReadOnlySpan<byte> first = source.FirstSpan;
        if (first.Length >= length)
        {
            return first[..length];
        }
        source.Slice(0, length).CopyTo(scratch);
        return scratch[..length];
    }

    private static byte FirstByte(ReadOnlySequence<byte> source)
    {
        Span<byte> one = stackalloc byte[1];
        source.Slice(0, 1).CopyTo(one);
        return one[0];
    }

    [DoesNotReturn]
    private static void Fail(Http2ErrorCode code, string message) => Http2ProtocolException.ThrowConnectionError(code, message);
}
