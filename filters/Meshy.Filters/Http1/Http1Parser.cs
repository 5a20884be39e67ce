using System.Buffers;

namespace Meshy.Filters.Http1;

/// <summary>
/// Parses HTTP/1.1 message heads (RFC 9112) from a <see cref="SequenceReader{T}"/>: request heads
/// from clients, response heads from upstreams, and trailer sections for <see cref="Http1ChunkedDecoder"/>.
/// Holds only its limits, so one instance can serve every connection.
/// </summary>
/// <remarks>
/// <code>
///   start-line CRLF                      request-line or status-line, ≤ MaxRequestLineLength
///   *( field-name ":" OWS field-value OWS CRLF )   ≤ MaxHeaderCount lines, ≤ MaxHeaderSectionLength bytes
///   CRLF
///   [ message-body ]                     never read here
/// </code>
/// A <c>TryParse</c> call returns false and consumes nothing while the head is incomplete; the caller
/// advances the pipe with <c>AdvanceTo(reader.Position, buffer.End)</c> and calls again with the same
/// bytes plus more. The head is parsed line by line in both cases below, so limits are enforced on the
/// partial line too, and every shape of the same bytes gives the same result:
/// <list type="number">
/// <item>fast path: the lines are parsed where they lie in the reader's current span, and the head is copied into the store with one copy once it is complete;</item>
/// <item>multi-segment path: lines parsed in the first span are kept, each further line is copied into the store (piece by piece when it crosses segments, limits checked before each copy) and parsed there.</item>
/// </list>
/// Malformed input throws <see cref="Http1ProtocolException"/>; the connection cannot continue after it.
/// </remarks>
internal sealed partial class Http1Parser
{
    /// <summary>A parser with <see cref="Http1Limits.Default"/>.</summary>
    public static Http1Parser Default { get; } = new(Http1Limits.Default);

    private readonly Http1Limits _limits;

    public Http1Parser(Http1Limits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _limits = limits;
    }

    /// <summary>The limits this parser enforces.</summary>
    public Http1Limits Limits => _limits;

    /// <summary>
    /// Parses a request head into <paramref name="head"/> (reset first). True: the reader is advanced
    /// past the head's final CRLF, body bytes are left unread. False: more bytes are needed, nothing
    /// was consumed, and <paramref name="head"/> holds nothing useful until a later call succeeds. Throws <see cref="Http1ProtocolException"/> on malformed input or an exceeded limit.
    /// </summary>
    public bool TryParseRequestHead(ref SequenceReader<byte> reader, Http1RequestHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        head.Reset();
        var scan = new HeadScan(HeadKind.Request, head.Headers, _limits) { Request = head, Head = head };
        if (!TryScan(ref reader, ref scan))
        {
            return false;
        }
        head.HeadLength = scan.Offset;
        FinishRequest(head);
        return true;
    }

    /// <summary>
    /// Parses a response head into <paramref name="head"/> (reset first); see <see cref="TryParseRequestHead"/>.
    /// 1xx responses are parsed like any other: the caller loops until a final status.
    /// </summary>
    public bool TryParseResponseHead(ref SequenceReader<byte> reader, Http1ResponseHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        head.Reset();
        var scan = new HeadScan(HeadKind.Response, head.Headers, _limits) { Response = head, Head = head };
        if (!TryScan(ref reader, ref scan))
        {
            return false;
        }
        head.HeadLength = scan.Offset;
        FinishResponse(head);
        return true;
    }

    /// <summary>
    /// Parses a trailer section (RFC 9112 §7.1.2: field lines, then the CRLF that ends the chunked
    /// body) into <paramref name="trailers"/> (cleared first). The fields are stored, not interpreted.
    /// </summary>
    internal static bool TryParseTrailerSection(ref SequenceReader<byte> reader, Http1HeaderStore trailers, Http1Limits limits)
    {
        trailers.Clear();
        var scan = new HeadScan(HeadKind.Trailers, trailers, limits) { Phase = ScanPhase.Fields };
        return TryScan(ref reader, ref scan);
    }

    private static bool TryScan(ref SequenceReader<byte> reader, ref HeadScan scan)
    {
        ReadOnlySpan<byte> span = reader.UnreadSpan;
        if (TryScanSpan(ref scan, span))
        {
            scan.Store.SetRaw(span[..scan.Offset]);
            reader.Advance(scan.Offset);
            return true;
        }
        if (span.Length == reader.Remaining)
        {
            ReadOnlySpan<byte> partial = span[scan.Offset..];
            CheckPartialLine(ref scan, partial.Length, partial.IsEmpty ? -1 : partial[0]);
            return false;
        }
        return TryScanSegments(ref reader, ref scan, span);
    }

    /// <summary>Parses the complete lines of <paramref name="span"/>; true when the final empty line was among them.</summary>
    private static bool TryScanSpan(ref HeadScan scan, ReadOnlySpan<byte> span)
    {
        while (true)
        {
            ReadOnlySpan<byte> rest = span[scan.Offset..];
            int lineFeed = rest.IndexOf((byte)'\n');
            if (lineFeed < 0)
            {
                return false;
            }
            ReadOnlySpan<byte> line = rest[..(lineFeed + 1)];
            CheckLineLimits(ref scan, line.Length, line[0]);
            if (ParseLine(ref scan, line))
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Continues a head that does not end in the first span: keeps the lines already parsed there,
    /// then copies each further line into the store and parses the copy.
    /// </summary>
    private static bool TryScanSegments(ref SequenceReader<byte> reader, ref HeadScan scan, ReadOnlySpan<byte> firstSpan)
    {
        scan.Store.SetRaw(firstSpan[..scan.Offset]);
        SequenceReader<byte> rest = reader;
        rest.Advance(scan.Offset);
        while (true)
        {
            int lineStart = scan.Store.Raw.Length;
            if (!TryCopyLine(ref rest, ref scan))
            {
                return false;
            }
            if (ParseLine(ref scan, scan.Store.Raw[lineStart..]))
            {
                reader = rest;
                return true;
            }
        }
    }

    /// <summary>
    /// Appends the next line, LF included, to the store one segment piece at a time, and advances
    /// <paramref name="rest"/> past it. Before each piece is copied, the limits it would break are
    /// checked, so a peer cannot make the store grow past them. False when the line is incomplete
    /// (<paramref name="rest"/> is left where it was).
    /// </summary>
    private static bool TryCopyLine(ref SequenceReader<byte> rest, ref HeadScan scan)
    {
        SequenceReader<byte> probe = rest;
        long length = 0;
        int first = -1;
        while (!probe.End)
        {
            ReadOnlySpan<byte> unread = probe.UnreadSpan;
            if (first < 0)
            {
                first = unread[0];
            }
            int lineFeed = unread.IndexOf((byte)'\n');
            if (lineFeed >= 0)
            {
                ReadOnlySpan<byte> piece = unread[..(lineFeed + 1)];
                CheckLineLimits(ref scan, length + piece.Length, (byte)first);
                piece.CopyTo(scan.Store.Extend(piece.Length));
                probe.Advance(piece.Length);
                rest = probe;
                return true;
            }
            CheckPartialLine(ref scan, length + unread.Length, first);
            unread.CopyTo(scan.Store.Extend(unread.Length));
            length += unread.Length;
            probe.Advance(unread.Length);
        }
        CheckPartialLine(ref scan, length, first);
        return false;
    }

    /// <summary>
    /// Enforces the limits on a complete line of <paramref name="lineLength"/> bytes (LF included)
    /// before it is copied or parsed. The order (count, then size) matches <see cref="CheckPartialLine"/>,
    /// so a limit error is the same whether the line arrived whole or byte by byte.
    /// </summary>
    private static void CheckLineLimits(ref HeadScan scan, long lineLength, byte first)
    {
        if (scan.Phase == ScanPhase.StartLine)
        {
            // CRLF of the start line itself is not counted: content ≤ limit.
            if (scan.Offset + lineLength > (long)scan.Limits.MaxRequestLineLength + 2)
            {
                Http1ProtocolException.Throw(Http1ParseError.StartLineTooLong);
            }
            return;
        }
        bool emptyLine = lineLength == 1 || (lineLength == 2 && first == (byte)'\r');
        if (!emptyLine)
        {
            CheckFieldLineLimits(ref scan, lineLength);
        }
    }

    /// <summary>
    /// Enforces the limits on an incomplete line of <paramref name="partialLength"/> bytes (no LF yet)
    /// whose first byte is <paramref name="first"/> (-1 when empty): the complete line will be at least
    /// one byte longer, so a limit it is already bound to break is reported now, without waiting.
    /// </summary>
    private static void CheckPartialLine(ref HeadScan scan, long partialLength, int first)
    {
        if (scan.Phase == ScanPhase.StartLine)
        {
            if (scan.Offset + partialLength > (long)scan.Limits.MaxRequestLineLength + 1)
            {
                Http1ProtocolException.Throw(Http1ParseError.StartLineTooLong);
            }
            return;
        }
        // Nothing yet, or a lone CR that may be the start of the final empty line: no field line begun.
        if (partialLength == 0 || (partialLength == 1 && first == '\r'))
        {
            return;
        }
        CheckFieldLineLimits(ref scan, partialLength + 1);
    }

    private static void CheckFieldLineLimits(ref HeadScan scan, long minimumLineLength)
    {
        if (scan.FieldCount >= scan.Limits.MaxHeaderCount)
        {
            Http1ProtocolException.Throw(Http1ParseError.TooManyHeaders);
        }
        if (scan.Offset - scan.SectionStart + minimumLineLength > scan.Limits.MaxHeaderSectionLength)
        {
            Http1ProtocolException.Throw(Http1ParseError.HeaderSectionTooLarge);
        }
    }

    /// <summary>
    /// Parses one complete line (LF included) that starts at <c>scan.Offset</c> in the head; true when
    /// it was the empty line that ends the head. RFC 9112 §2.2: every line ends in CRLF, and a CR
    /// anywhere else is refused rather than read as a line end.
    /// </summary>
    private static bool ParseLine(ref HeadScan scan, ReadOnlySpan<byte> line)
    {
        int lineOffset = scan.Offset;
        scan.Offset += line.Length;
        if (line.Length < 2 || line[^2] != (byte)'\r')
        {
            Http1ProtocolException.Throw(Http1ParseError.BareLf);
        }
        ReadOnlySpan<byte> content = line[..^2];
        try
        {
            return ParseContent(ref scan, content, lineOffset);
        }
        catch (Http1ProtocolException) when (content.Contains((byte)'\r'))
        {
            // A CR inside a line always fails the grammar of whatever part holds it (it is neither
            // a tchar, nor a target byte, nor a field-value byte), so it is looked for only then,
            // saving a pass over every good line; the reason is BareCr wherever it sits.
            Http1ProtocolException.Throw(Http1ParseError.BareCr);
            return false;
        }
    }

    private static bool ParseContent(ref HeadScan scan, ReadOnlySpan<byte> content, int lineOffset)
    {
        if (scan.Phase == ScanPhase.StartLine)
        {
            if (content.IsEmpty)
            {
                // RFC 9112 §2.2: a server SHOULD ignore empty lines before the request-line; a
                // response has no such allowance.
                if (scan.Kind != HeadKind.Request)
                {
                    Http1ProtocolException.Throw(Http1ParseError.InvalidStatusLine);
                }
                return false;
            }
            if (scan.Request is { } request)
            {
                ParseRequestLine(content, lineOffset, request);
            }
            else
            {
                ParseStatusLine(content, lineOffset, scan.Response!);
            }
            scan.Phase = ScanPhase.Fields;
            scan.SectionStart = scan.Offset;
            return false;
        }
        if (content.IsEmpty)
        {
            return true;
        }
        ParseFieldLine(ref scan, content, lineOffset);
        return false;
    }

    private enum HeadKind : byte
    {
        Request,
        Response,
        Trailers,
    }

    private enum ScanPhase : byte
    {
        StartLine,
        Fields,
    }

    /// <summary>The progress of one parse attempt; offsets count from the first byte of the head.</summary>
    private struct HeadScan(HeadKind kind, Http1HeaderStore store, Http1Limits limits)
    {
        public readonly HeadKind Kind = kind;
        public readonly Http1HeaderStore Store = store;
        public readonly Http1Limits Limits = limits;
        public Http1MessageHead? Head;
        public Http1RequestHead? Request;
        public Http1ResponseHead? Response;
        public ScanPhase Phase;
        public int Offset;              // bytes of complete lines so far
        public int SectionStart;        // where the field lines begin
        public int FieldCount;
    }
}
