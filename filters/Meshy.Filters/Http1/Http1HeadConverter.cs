using Meshy.Engine.Http;

namespace Meshy.Filters.Http1;

/// <summary>
/// Moves parsed HTTP/1 heads into the protocol-neutral form, dropping what belongs to one hop
/// (RFC 9110 §7.6.1): Connection and the fields it names, Keep-Alive, Proxy-Connection, TE, Trailer,
/// Transfer-Encoding, Upgrade, plus Content-Length and Host, which the writers regenerate.
/// </summary>
internal static class Http1HeadConverter
{
    /// <summary>Fills <paramref name="target"/> (reset first) from a parsed request head.</summary>
    public static void CopyRequest(Http1RequestHead source, HttpRequestHead target)
    {
        target.Reset();
        target.SetMethod(source.Method, source.MethodBytes);
        target.Version = source.Version == Http1Version.Http10 ? 10 : 11;
        target.SetAuthority(source.Method == HttpMethodKind.Connect ? source.TargetAuthority : source.Host);
        switch (source.TargetForm)
        {
            case Http1TargetForm.Asterisk:
                target.SetPath("*"u8);
                break;
            case Http1TargetForm.Authority:
                break;
            default:
                target.SetPath(source.Path.IsEmpty ? "/"u8 : source.Path);
                if (source.HasQuery)
                {
                    target.SetQuery(source.Query);
                }
                break;
        }
        CopyFields(source, target.Headers, dropExpect: source.ExpectsContinue);
        if (source.IsUpgrade && source.Headers.TryGetValue(Http1KnownHeader.Upgrade, out ReadOnlySpan<byte> protocol))
        {
            target.SetUpgrade(protocol);
        }
        Http1BodyFraming framing = source.GetBodyFraming();
        target.HasBody = framing.Kind != Http1BodyKind.None;
        target.ContentLength = framing.Kind == Http1BodyKind.ContentLength ? framing.Length : -1;
        target.ExpectsContinue = source.ExpectsContinue;
        target.AcceptsTrailers = source.AcceptsTrailers;
    }

    /// <summary>Fills <paramref name="target"/> (reset first) from a parsed response head answering <paramref name="method"/>.</summary>
    public static Http1BodyFraming CopyResponse(Http1ResponseHead source, HttpMethodKind method, HttpResponseHead target)
    {
        target.Reset();
        target.StatusCode = source.StatusCode;
        CopyFields(source, target.Headers, dropExpect: false);
        if (source.StatusCode == 101 && source.Headers.TryGetValue(Http1KnownHeader.Upgrade, out ReadOnlySpan<byte> protocol))
        {
            target.SetUpgrade(protocol);
        }
        Http1BodyFraming framing = source.GetBodyFraming(method);
        target.HasBody = framing.Kind is Http1BodyKind.Chunked or Http1BodyKind.UntilClose
            || (framing.Kind == Http1BodyKind.ContentLength && framing.Length > 0);
        // The length stays known for HEAD and 304 answers: it describes the representation (RFC 9110 §8.6).
        target.ContentLength = framing.Kind == Http1BodyKind.ContentLength ? framing.Length : source.ContentLength;
        if (framing.Kind is Http1BodyKind.Chunked or Http1BodyKind.UntilClose)
        {
            target.ContentLength = -1;
        }
        target.UpstreamCloses = !source.KeepAlive || framing.Kind == Http1BodyKind.UntilClose;
        return framing;
    }

    private static void CopyFields(Http1MessageHead source, HttpHeaderList target, bool dropExpect)
    {
        Http1HeaderStore fields = source.Headers;
        bool connectionNamesOthers = (source.ConnectionOptions & Http1ConnectionOptions.Other) != 0;
        for (int i = 0; i < fields.Count; i++)
        {
            Http1KnownHeader known = fields.GetKnownHeader(i);
            if (known != Http1KnownHeader.None)
            {
                if (Http1KnownHeaders.IsHopByHop(known) || known is Http1KnownHeader.Host or Http1KnownHeader.ContentLength
                    || (known == Http1KnownHeader.Expect && dropExpect))
                {
                    continue;
                }
            }
            else if (connectionNamesOthers && IsNamedByConnection(fields, fields.GetName(i)))
            {
                continue;
            }
            target.Add(fields.GetName(i), fields.GetValue(i));
        }
    }

    /// <summary>True when a Connection field lists <paramref name="name"/> (RFC 9110 §7.6.1: that field is hop-by-hop).</summary>
    private static bool IsNamedByConnection(Http1HeaderStore fields, ReadOnlySpan<byte> name)
    {
        for (int i = fields.IndexOf(Http1KnownHeader.Connection); i >= 0 && i < fields.Count; i++)
        {
            if (fields.GetKnownHeader(i) != Http1KnownHeader.Connection)
            {
                continue;
            }
            foreach (ReadOnlySpan<byte> token in new Http1TokenList(fields.GetValue(i)))
            {
                if (System.Text.Ascii.EqualsIgnoreCase(token, name))
                {
                    return true;
                }
            }
        }
        return false;
    }
}
