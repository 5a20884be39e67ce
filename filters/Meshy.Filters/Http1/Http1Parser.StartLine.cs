using Meshy.Engine.Http;

namespace Meshy.Filters.Http1;

internal sealed partial class Http1Parser
{
    /// <summary>
    /// Parses a request-line (RFC 9112 §3), CRLF already removed. <paramref name="lineOffset"/> is
    /// where it starts in the head, so the ranges recorded in <paramref name="head"/> are head-relative.
    /// </summary>
    /// <remarks>
    /// <code>
    ///   request-line = method SP request-target SP HTTP-version
    ///                  token     no SP/CTL        "HTTP/" DIGIT "." DIGIT
    /// </code>
    /// Exactly one SP on each side of the target: whitespace-tolerant parsing (§3, "MAY") is how
    /// request smuggling starts, so it is refused.
    /// </remarks>
    private static void ParseRequestLine(ReadOnlySpan<byte> line, int lineOffset, Http1RequestHead head)
    {
        // 1. method: a token ended by SP
        int methodEnd = line.IndexOfAnyExcept(Http1Chars.Token);
        if (methodEnd < 0)
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidRequestLine);
        }
        if (line[methodEnd] != (byte)' ')
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidMethod);
        }
        if (methodEnd == 0)
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidRequestLine);
        }
        ReadOnlySpan<byte> method = line[..methodEnd];

        // 2. version: after the last SP (the target has no SP, so the last one is the separator)
        ReadOnlySpan<byte> rest = line[(methodEnd + 1)..];
        int lastSpace = rest.LastIndexOf((byte)' ');
        if (lastSpace < 0)
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidRequestLine);   // "GET /": HTTP/0.9 is not spoken
        }
        head.Version = ParseVersion(rest[(lastSpace + 1)..]);

        // 3. request-target
        ReadOnlySpan<byte> target = rest[..lastSpace];
        if (target.IsEmpty)
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidRequestLine);
        }
        if (target.IndexOfAnyExcept(Http1Chars.Target) >= 0)
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidRequestTarget);
        }
        head.SetMethod(HttpMethods.Parse(method), lineOffset, methodEnd);
        int targetOffset = lineOffset + methodEnd + 1;
        head.SetTarget(targetOffset, target.Length);
        ParseTarget(target, targetOffset, head);
    }

    /// <summary>
    /// Classifies the target (RFC 9112 §3.2) and records its parts. CONNECT takes only authority-form,
    /// asterisk-form goes only with OPTIONS, and an absolute-form authority carries no userinfo.
    /// </summary>
    private static void ParseTarget(ReadOnlySpan<byte> target, int offset, Http1RequestHead head)
    {
        if (head.Method == HttpMethodKind.Connect)
        {
            // §3.2.3: authority-form = uri-host ":" port
            int colon = target.LastIndexOf((byte)':');
            if (colon <= 0 || colon == target.Length - 1
                || target[(colon + 1)..].IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0
                || target.IndexOfAnyExcept(Http1Chars.Authority) >= 0)
            {
                Http1ProtocolException.Throw(Http1ParseError.InvalidRequestTarget);
            }
            head.TargetForm = Http1TargetForm.Authority;
            head.SetTargetAuthority(offset, target.Length);
            return;
        }
        if (target[0] == (byte)'/')
        {
            head.TargetForm = Http1TargetForm.Origin;                  // §3.2.1
            SetPathAndQuery(target, offset, head);
            return;
        }
        if (target.Length == 1 && target[0] == (byte)'*')
        {
            if (head.Method != HttpMethodKind.Options)
            {
                Http1ProtocolException.Throw(Http1ParseError.InvalidRequestTarget);
            }
            head.TargetForm = Http1TargetForm.Asterisk;                // §3.2.4
            return;
        }

        // §3.2.2: absolute-form = scheme "://" authority path-abempty [ "?" query ]
        int schemeEnd = target.IndexOf((byte)':');
        if (schemeEnd <= 0
            || !char.IsAsciiLetter((char)target[0])
            || target[1..schemeEnd].IndexOfAnyExcept(Http1Chars.SchemeTail) >= 0
            || !target[schemeEnd..].StartsWith("://"u8))
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidRequestTarget);
        }
        int authorityStart = schemeEnd + 3;
        ReadOnlySpan<byte> afterScheme = target[authorityStart..];
        int authorityLength = afterScheme.IndexOfAny((byte)'/', (byte)'?');
        if (authorityLength < 0)
        {
            authorityLength = afterScheme.Length;
        }
        ReadOnlySpan<byte> authority = afterScheme[..authorityLength];
        if (authority.IsEmpty || authority.IndexOfAnyExcept(Http1Chars.Authority) >= 0)
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidRequestTarget);
        }
        head.TargetForm = Http1TargetForm.Absolute;
        head.SetScheme(offset, schemeEnd);
        head.SetTargetAuthority(offset + authorityStart, authorityLength);
        SetPathAndQuery(afterScheme[authorityLength..], offset + authorityStart + authorityLength, head);
    }

    private static void SetPathAndQuery(ReadOnlySpan<byte> pathAndQuery, int offset, Http1RequestHead head)
    {
        int question = pathAndQuery.IndexOf((byte)'?');
        if (question < 0)
        {
            head.SetPath(offset, pathAndQuery.Length);
            return;
        }
        head.SetPath(offset, question);
        head.SetQuery(offset + question + 1, pathAndQuery.Length - question - 1);
    }

    /// <summary>
    /// Parses a status-line (RFC 9112 §4), CRLF already removed. A missing SP before an empty reason
    /// is tolerated: the reason is optional and some servers drop the separator with it.
    /// </summary>
    /// <remarks>
    /// <code>
    ///   status-line = HTTP-version SP status-code SP [ reason-phrase ]
    ///                 8 bytes         3 DIGIT, 100–599  HTAB / SP / VCHAR / obs-text
    /// </code>
    /// </remarks>
    private static void ParseStatusLine(ReadOnlySpan<byte> line, int lineOffset, Http1ResponseHead head)
    {
        // 1. version
        if (line.Length < 8)
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidStatusLine);
        }
        head.Version = ParseVersion(line[..8]);

        // 2. status code (RFC 9110 §15: three digits, 100–599)
        if (line.Length < 12 || line[8] != (byte)' '
            || line.Slice(9, 3).IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidStatusLine);
        }
        int status = ((line[9] - '0') * 100) + ((line[10] - '0') * 10) + (line[11] - '0');
        if (status is < 100 or > 599)
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidStatusLine);
        }
        head.StatusCode = status;

        // 3. reason phrase
        if (line.Length == 12)
        {
            head.SetReason(lineOffset + 12, 0);
            return;
        }
        if (line[12] != (byte)' ' || line[13..].IndexOfAny(Http1Chars.InvalidFieldValue) >= 0)
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidStatusLine);
        }
        head.SetReason(lineOffset + 13, line.Length - 13);
    }

    /// <summary>RFC 9112 §2.3: <c>HTTP-version = "HTTP" "/" DIGIT "." DIGIT</c>, case-sensitive; only 1.0 and 1.1 are spoken.</summary>
    private static Http1Version ParseVersion(ReadOnlySpan<byte> version)
    {
        if (version.Length != 8 || !version.StartsWith("HTTP/"u8)
            || !char.IsAsciiDigit((char)version[5]) || version[6] != (byte)'.' || !char.IsAsciiDigit((char)version[7]))
        {
            Http1ProtocolException.Throw(Http1ParseError.InvalidVersion);
        }
        if (version[5] == (byte)'1')
        {
            if (version[7] == (byte)'1')
            {
                return Http1Version.Http11;
            }
            if (version[7] == (byte)'0')
            {
                return Http1Version.Http10;
            }
        }
        Http1ProtocolException.Throw(Http1ParseError.UnsupportedVersion);
        return default;
    }
}
