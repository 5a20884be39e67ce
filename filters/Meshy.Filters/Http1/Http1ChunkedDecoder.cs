using System.Buffers;

namespace Meshy.Filters.Http1;

/// <summary>
/// Decodes a chunked body (RFC 9112 §7.1) incrementally, for streaming: it consumes the framing and
/// hands back the data bytes as slices of the caller's buffer, so they can be forwarded without a
/// copy. One instance per connection; <see cref="Reset"/> before each body.
/// </summary>
/// <remarks>
/// <code>
///   chunked-body = *chunk last-chunk trailer-section CRLF
///   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF      size: 1*HEXDIG
///   last-chunk   = 1*"0" [ chunk-ext ] CRLF
///   chunk-ext    = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )
///
///   1a;name=value\r\n ..26 data bytes.. \r\n 0\r\n Trailer: x\r\n \r\n
///   ^ SizeLine        ^ Data             ^ DataEnd ^ SizeLine ^ Trailers ^ Completed
/// </code>
/// Framing is consumed only in whole units (a complete size line, the CRLF after data, the whole
/// trailer section), so a call that returns false leaves the reader at a unit boundary; data bytes
/// are handed out as soon as they are in the buffer.
/// <code>
///   while (decoder.TryRead(ref reader, out ReadOnlySequence&lt;byte&gt; data))
///   {
///       if (decoder.IsCompleted) { break; }        // trailers are in decoder.Trailers
///       Forward(data);                             // a slice of the pipe's buffer
///   }
///   input.AdvanceTo(reader.Position, buffer.End);
/// </code>
/// </remarks>
internal sealed class Http1ChunkedDecoder : IDisposable
{
    private const int StackLineLength = 256;

    private readonly Http1Limits _limits;
    private State _state;
    private long _chunkRemaining;

    public Http1ChunkedDecoder(Http1Limits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _limits = limits;
    }

    private enum State : byte
    {
        SizeLine,
        Data,
        DataEnd,
        Trailers,
        Completed,
    }

    /// <summary>The trailer fields, once <see cref="IsCompleted"/>; empty before.</summary>
    public Http1HeaderStore Trailers { get; } = new();

    /// <summary>True once the last chunk, the trailer section and the final CRLF were consumed.</summary>
    public bool IsCompleted => _state == State.Completed;

    /// <summary>Data bytes handed out so far for this body.</summary>
    public long DataLength { get; private set; }

    /// <summary>Starts a new body.</summary>
    public void Reset()
    {
        _state = State.SizeLine;
        _chunkRemaining = 0;
        DataLength = 0;
        Trailers.Clear();
    }

    /// <summary>
    /// Consumes framing up to the next data bytes and returns them. True with non-empty
    /// <paramref name="data"/>: forward those bytes (the reader is past them). True with
    /// <see cref="IsCompleted"/>: the body has ended, <paramref name="data"/> is empty. False: more
    /// bytes are needed; complete framing units were consumed, a partial one was not.
    /// Throws <see cref="Http1ProtocolException"/> on malformed framing.
    /// </summary>
    public bool TryRead(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> data)
    {
        data = default;
        while (true)
        {
            switch (_state)
            {
                case State.SizeLine:
                    if (!TryReadSizeLine(ref reader))
                    {
                        return false;
                    }
                    break;
                case State.Data:
                    long available = Math.Min(reader.Remaining, _chunkRemaining);
                    if (available == 0)
                    {
                        return false;
                    }
                    data = reader.Sequence.Slice(reader.Position, available);
                    reader.Advance(available);
                    DataLength += available;
                    _chunkRemaining -= available;
                    if (_chunkRemaining == 0)
                    {
                        _state = State.DataEnd;
                    }
                    return true;
                case State.DataEnd:
                    if (!TryReadDataEnd(ref reader))
                    {
                        return false;
                    }
                    _state = State.SizeLine;
                    break;
                case State.Trailers:
                    // §7.1.2: the trailer section and the final CRLF, parsed as a head's field lines.
                    if (!Http1Parser.TryParseTrailerSection(ref reader, Trailers, _limits))
                    {
                        return false;
                    }
                    _state = State.Completed;
                    return true;
                default:
                    return true;
            }
        }
    }

    /// <summary>Returns the trailer store's pooled buffer.</summary>
    public void Dispose() => Trailers.Dispose();

    private bool TryReadSizeLine(ref SequenceReader<byte> reader)
    {
        ReadOnlySpan<byte> span = reader.UnreadSpan;
        int lineFeed = span.IndexOf((byte)'\n');
        if (lineFeed >= 0)
        {
            ReadOnlySpan<byte> line = span[..(lineFeed + 1)];
            CheckLineLength(line.Length);
            ParseSizeLine(line);
            reader.Advance(line.Length);
            return true;
        }
        return TryReadSizeLineMultiSegment(ref reader);
    }

    private bool TryReadSizeLineMultiSegment(ref SequenceReader<byte> reader)
    {
        SequenceReader<byte> rest = reader;
        if (!rest.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n', advancePastDelimiter: true))
        {
            // The line is incomplete, but it will be at least one byte longer than what is here.
            CheckLineLength(reader.Remaining + 1);
            return false;
        }
        int lineLength = checked((int)line.Length + 1);
        CheckLineLength(lineLength);
        byte[]? rented = null;
        Span<byte> copy = lineLength <= StackLineLength
            ? stackalloc byte[StackLineLength]
            : (rented = ArrayPool<byte>.Shared.Rent(lineLength));
        try
        {
            line.CopyTo(copy);
            copy[lineLength - 1] = (byte)'\n';
            ParseSizeLine(copy[..lineLength]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        reader = rest;
        return true;
    }

    private void CheckLineLength(long lineLength)
    {
        // lineLength counts the CRLF; the limit does not.
        if (lineLength > (long)_limits.MaxChunkLineLength + 2)
        {
            Http1ProtocolException.Throw(Http1ParseError.ChunkLineTooLong);
        }
    }

    /// <summary>Parses <c>chunk-size [ chunk-ext ] CRLF</c> (LF included) and moves to the data or the trailers.</summary>
    private void ParseSizeLine(ReadOnlySpan<byte> line)
    {
        if (line.Length < 2 || line[^2] != (byte)'\r')
        {
            Http1ProtocolException.Throw(Http1ParseError.BareLf);
        }
        ReadOnlySpan<byte> content = line[..^2];
        if (content.Contains((byte)'\r'))
        {
            Http1ProtocolException.Throw(Http1ParseError.BareCr);
        }

        // 1. size: hex digits; leading zeros are fine, a value past 2^63 - 1 is not
        long size = 0;
        int digits = 0;
        for (; digits < content.Length; digits++)
        {
            int digit = Http1Chars.HexValue(content[digits]);
            if (digit < 0)
            {
                break;
            }
            if (size > long.MaxValue >> 4)
            {
                Http1ProtocolException.Throw(Http1ParseError.ChunkSizeOverflow);
            }
            size = (size << 4) | (long)digit;
        }
        if (digits == 0)
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidChunkSize);
        }

        // 2. extensions: validated and dropped (§7.1.1: a recipient ignores unknown ones)
        if (digits < content.Length)
        {
            ValidateExtensions(content[digits..]);
        }

        if (size == 0)
        {
            _state = State.Trailers;
        }
        else
        {
            _chunkRemaining = size;
            _state = State.Data;
        }
    }

    /// <summary><c>*( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )</c>, nothing else, up to the CRLF.</summary>
    private static void ValidateExtensions(ReadOnlySpan<byte> extensions)
    {
        int i = 0;
        bool first = true;
        while (i < extensions.Length)
        {
            // 1. BWS ";" BWS; anything else right after the digits is a bad size ("1a x", "1g")
            i = SkipWhitespace(extensions, i);
            if (i == extensions.Length || extensions[i] != (byte)';')
            {
                Http1ProtocolException.Throw(first ? Http1ParseError.InvalidChunkSize : Http1ParseError.InvalidChunkExtension);
            }
            first = false;
            i = SkipWhitespace(extensions, i + 1);

            // 2. name
            i = SkipToken(extensions, i);

            // 3. [ BWS "=" BWS value ]; whitespace not followed by '=' is left for step 1 to judge
            int afterSpace = SkipWhitespace(extensions, i);
            if (afterSpace < extensions.Length && extensions[afterSpace] == (byte)'=')
            {
                i = SkipWhitespace(extensions, afterSpace + 1);
                i = i < extensions.Length && extensions[i] == (byte)'"'
                    ? SkipQuotedString(extensions, i)
                    : SkipToken(extensions, i);
            }
        }
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> value, int index)
    {
        while (index < value.Length && Http1Chars.IsWhitespace(value[index]))
        {
            index++;
        }
        return index;
    }

    private static int SkipToken(ReadOnlySpan<byte> value, int index)
    {
        int length = value[index..].IndexOfAnyExcept(Http1Chars.Token);
        if (length < 0)
        {
            length = value.Length - index;
        }
        if (length == 0)
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidChunkExtension);
        }
        return index + length;
    }

    /// <summary>
    /// RFC 9110 §5.6.4: <c>DQUOTE *( qdtext / "\" ( HTAB / SP / VCHAR / obs-text ) ) DQUOTE</c>,
    /// qdtext being HTAB, SP and visible or obs-text bytes other than '"' and '\'.
    /// </summary>
    private static int SkipQuotedString(ReadOnlySpan<byte> value, int index)
    {
        for (int i = index + 1; i < value.Length; i++)
        {
            byte current = value[i];
            if (current == (byte)'"')
            {
                return i + 1;
            }
            if (current == (byte)'\\')
            {
                i++;
                if (i == value.Length)
                {
                    break;
                }
                current = value[i];
            }
            if (current != (byte)'\t' && (current < 0x20 || current == 0x7F))
            {
                break;
            }
        }
        Http1ProtocolException.Throw(Http1ParseError.InvalidChunkExtension);
        return 0;
    }

    /// <summary>The CRLF after chunk-data; a wrong first byte is reported without waiting for the second.</summary>
    private static bool TryReadDataEnd(ref SequenceReader<byte> reader)
    {
        if (!reader.TryPeek(out byte first))
        {
            return false;
        }
        if (first != (byte)'\r')
        {
            Http1ProtocolException.Throw(first == (byte)'\n' ? Http1ParseError.BareLf : Http1ParseError.InvalidChunkDataTerminator);
        }
        if (!reader.TryPeek(1, out byte second))
        {
            return false;
        }
        if (second != (byte)'\n')
        {
            Http1ProtocolException.Throw(Http1ParseError.BareCr);
        }
        reader.Advance(2);
        return true;
    }
}
