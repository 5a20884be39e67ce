using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Meshy.Filters.Http1;

internal sealed partial class Http1Parser
{
    /// <summary>
    /// Parses one field line (RFC 9112 §5), CRLF already removed, records it in the store and, in a
    /// message head, applies what a known field says about framing and the connection.
    /// </summary>
    /// <remarks>
    /// <code>
    ///   field-line = field-name ":" OWS field-value OWS
    ///                token      ^ no whitespace before the colon (§5.1)
    ///   SP/HTAB first: obs-fold (§5.2), refused
    /// </code>
    /// </remarks>
    private static void ParseFieldLine(ref HeadScan scan, ReadOnlySpan<byte> line, int lineOffset)
    {
        // 1. no folding, and no whitespace-led line right after the start line (§2.2)
        if (Http1Chars.IsWhitespace(line[0]))
        {
            Http1ProtocolException.Throw(scan.FieldCount == 0 && scan.Kind != HeadKind.Trailers
                ? Http1ParseError.WhitespaceAfterStartLine
                : Http1ParseError.ObsFold);
        }

        // 2. name: a token ended by ':'
        int colon = line.IndexOfAnyExcept(Http1Chars.Token);
        if (colon < 0)
        {
            Http1ProtocolException.Throw(Http1ParseError.MissingColon);
        }
        if (line[colon] != (byte)':')
        {
            ThrowInvalidName(line, colon);
        }
        if (colon == 0)
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidFieldName);
        }

        // 3. value: OWS trimmed, no CTL but HTAB, no DEL (RFC 9110 §5.5)
        int valueStart = colon + 1;
        while (valueStart < line.Length && Http1Chars.IsWhitespace(line[valueStart]))
        {
            valueStart++;
        }
        int valueEnd = line.Length;
        while (valueEnd > valueStart && Http1Chars.IsWhitespace(line[valueEnd - 1]))
        {
            valueEnd--;
        }
        ReadOnlySpan<byte> value = line[valueStart..valueEnd];
        if (value.IndexOfAny(Http1Chars.InvalidFieldValue) >= 0)
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidFieldValue);
        }

        // 4. record, and interpret the fields that drive framing
        Http1KnownHeader known = Http1KnownHeaders.Lookup(line[..colon]);
        int index = scan.Store.Add(new Http1Field(lineOffset, colon, lineOffset + valueStart, value.Length, known));
        scan.FieldCount++;
        if (known != Http1KnownHeader.None && scan.Head is { } head)
        {
            ApplyKnownField(head, scan.Request, known, index, value);
        }
    }

    [DoesNotReturn]
    private static void ThrowInvalidName(ReadOnlySpan<byte> line, int stop)
    {
        // "Name : value" is the classic smuggling shape (§5.1 says reject with 400): give it its own reason.
        int next = stop;
        while (next < line.Length && Http1Chars.IsWhitespace(line[next]))
        {
            next++;
        }
        if (next > stop && next < line.Length && line[next] == (byte)':')
        {
            Http1ProtocolException.Throw(Http1ParseError.WhitespaceBeforeColon);
        }
        Http1ProtocolException.Throw(Http1ParseError.InvalidFieldName);
    }

    private static void ApplyKnownField(Http1MessageHead head, Http1RequestHead? request, Http1KnownHeader known, int index, ReadOnlySpan<byte> value)
    {
        switch (known)
        {
            case Http1KnownHeader.ContentLength:
                long length = ParseContentLength(value);
                if (head.ContentLength >= 0 && head.ContentLength != length)
                {
                    Http1ProtocolException.Throw(Http1ParseError.ConflictingContentLength);
                }
                head.ContentLength = length;
                break;
            case Http1KnownHeader.TransferEncoding:
                ApplyTransferEncoding(head, value);
                break;
            case Http1KnownHeader.Connection:
                head.ConnectionOptions |= ParseConnectionOptions(value);
                break;
            case Http1KnownHeader.Host when request is not null:
                // RFC 9112 §3.2: more than one Host, or an invalid one, is a 400.
                if (request.HostIndex >= 0)
                {
                    Http1ProtocolException.Throw(Http1ParseError.MultipleHost);
                }
                if (value.IndexOfAnyExcept(Http1Chars.Authority) >= 0)
                {
                    Http1ProtocolException.Throw(Http1ParseError.InvalidHost);
                }
                request.HostIndex = index;
                break;
            case Http1KnownHeader.Expect when request is not null:
                // RFC 9110 §10.1.1: 100-continue is the only expectation defined, and an HTTP/1.0
                // server must ignore it (the client cannot know it is understood).
                if (request.Version == Http1Version.Http11 && Ascii.EqualsIgnoreCase(value, "100-continue"u8))
                {
                    request.ExpectsContinue = true;
                }
                break;
            case Http1KnownHeader.TE when request is not null:
                foreach (ReadOnlySpan<byte> element in new Http1TokenList(value))
                {
                    if (Ascii.EqualsIgnoreCase(Http1TokenList.ElementName(element), "trailers"u8))
                    {
                        request.AcceptsTrailers = true;
                    }
                }
                break;
        }
    }

    /// <summary>
    /// RFC 9110 §8.6: <c>1*DIGIT</c>; a list of identical values (<c>42, 42</c>, as sent by some
    /// intermediaries that merged lines) is read as one value, differing ones are a conflict.
    /// </summary>
    private static long ParseContentLength(ReadOnlySpan<byte> value)
    {
        long result = -1;
        while (true)
        {
            int comma = value.IndexOf((byte)',');
            ReadOnlySpan<byte> element = Http1Chars.TrimWhitespace(comma < 0 ? value : value[..comma]);
            if (element.IsEmpty)
            {
                Http1ProtocolException.Throw(Http1ParseError.InvalidContentLength);
            }
            long number = 0;
            foreach (byte digit in element)
            {
                int digitValue = digit - '0';
                if ((uint)digitValue > 9 || number > (long.MaxValue - digitValue) / 10)
                {
                    Http1ProtocolException.Throw(Http1ParseError.InvalidContentLength);
                }
                number = (number * 10) + digitValue;
            }
            if (result >= 0 && result != number)
            {
                Http1ProtocolException.Throw(Http1ParseError.ConflictingContentLength);
            }
            result = number;
            if (comma < 0)
            {
                return result;
            }
            value = value[(comma + 1)..];
        }
    }

    /// <summary>
    /// RFC 9112 §6.1: <c>Transfer-Encoding = #transfer-coding</c>, possibly over several lines that form
    /// one list. Tracks whether chunked was applied and whether it is the final coding.
    /// </summary>
    private static void ApplyTransferEncoding(Http1MessageHead head, ReadOnlySpan<byte> value)
    {
        bool any = false;
        foreach (ReadOnlySpan<byte> element in new Http1TokenList(value))
        {
            ReadOnlySpan<byte> coding = Http1TokenList.ElementName(element);
            if (coding.IsEmpty || coding.IndexOfAnyExcept(Http1Chars.Token) >= 0)
            {
                Http1ProtocolException.Throw(Http1ParseError.InvalidTransferEncoding);
            }
            any = true;
            if (Ascii.EqualsIgnoreCase(coding, "chunked"u8))
            {
                if (head.ChunkedSeen)
                {
                    Http1ProtocolException.Throw(Http1ParseError.ChunkedAppliedTwice);
                }
                head.ChunkedSeen = true;
                head.IsChunked = true;
            }
            else
            {
                head.IsChunked = false;                                 // a coding after chunked: chunked is no longer final
            }
        }
        if (!any)
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidTransferEncoding);
        }
        head.HasTransferEncoding = true;
    }

    /// <summary>RFC 9110 §7.6.1: connection options are case-insensitive tokens.</summary>
    private static Http1ConnectionOptions ParseConnectionOptions(ReadOnlySpan<byte> value)
    {
        Http1ConnectionOptions options = Http1ConnectionOptions.None;
        foreach (ReadOnlySpan<byte> token in new Http1TokenList(value))
        {
            if (Ascii.EqualsIgnoreCase(token, "close"u8))
            {
                options |= Http1ConnectionOptions.Close;
            }
            else if (Ascii.EqualsIgnoreCase(token, "keep-alive"u8))
            {
                options |= Http1ConnectionOptions.KeepAlive;
            }
            else if (Ascii.EqualsIgnoreCase(token, "upgrade"u8))
            {
                options |= Http1ConnectionOptions.Upgrade;
            }
            else
            {
                options |= Http1ConnectionOptions.Other;
            }
        }
        return options;
    }

    /// <summary>
    /// The checks that need the whole head, in a fixed order:
    /// <list type="number">
    /// <item>Content-Length with Transfer-Encoding (§6.3 rule 3; refused, not repaired);</item>
    /// <item>Transfer-Encoding in HTTP/1.0 (§6.1);</item>
    /// <item>a request whose final coding is not chunked (§6.3 rule 4);</item>
    /// <item>Host present on HTTP/1.1 and equal to an absolute-form authority (§3.2, §3.2.2).</item>
    /// </list>
    /// </summary>
    private static void FinishRequest(Http1RequestHead head)
    {
        // 1.–2.
        FinishFraming(head);
        // 3.
        if (head.HasTransferEncoding && !head.IsChunked)
        {
            Http1ProtocolException.Throw(Http1ParseError.ChunkedNotLast);
        }
        // 4.
        if (head.HostIndex < 0)
        {
            if (head.Version == Http1Version.Http11)
            {
                Http1ProtocolException.Throw(Http1ParseError.MissingHost);
            }
        }
        else if (head.TargetForm == Http1TargetForm.Absolute
            && !AuthorityEquals(head.Scheme, head.TargetAuthority, head.Headers.GetValue(head.HostIndex)))
        {
            Http1ProtocolException.Throw(Http1ParseError.HostMismatch);
        }
    }

    /// <summary>Steps 1–2 of <see cref="FinishRequest"/>; a non-chunked final coding means read-until-close for a response.</summary>
    private static void FinishResponse(Http1ResponseHead head) => FinishFraming(head);

    private static void FinishFraming(Http1MessageHead head)
    {
        if (head.HasTransferEncoding)
        {
            if (head.ContentLength >= 0)
            {
                Http1ProtocolException.Throw(Http1ParseError.ContentLengthWithTransferEncoding);
            }
            if (head.Version == Http1Version.Http10)
            {
                Http1ProtocolException.Throw(Http1ParseError.TransferEncodingInHttp10);
            }
        }
    }

    /// <summary>
    /// Compares a target authority with a Host value: ASCII case ignored (RFC 3986 §6.2.2.1), and an
    /// explicit default port (80 for http, 443 for https) equal to none (RFC 9110 §4.2.3).
    /// </summary>
    private static bool AuthorityEquals(ReadOnlySpan<byte> scheme, ReadOnlySpan<byte> authority, ReadOnlySpan<byte> host)
    {
        if (Ascii.EqualsIgnoreCase(authority, host))
        {
            return true;
        }
        ReadOnlySpan<byte> defaultPort = Ascii.EqualsIgnoreCase(scheme, "http"u8) ? ":80"u8
            : Ascii.EqualsIgnoreCase(scheme, "https"u8) ? ":443"u8
            : [];
        if (defaultPort.IsEmpty)
        {
            return false;
        }
        return Ascii.EqualsIgnoreCase(StripSuffix(authority, defaultPort), StripSuffix(host, defaultPort));
    }

    private static ReadOnlySpan<byte> StripSuffix(ReadOnlySpan<byte> value, ReadOnlySpan<byte> suffix) =>
        value.EndsWith(suffix) ? value[..^suffix.Length] : value;
}
