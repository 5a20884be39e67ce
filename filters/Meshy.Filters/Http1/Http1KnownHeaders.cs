using System.Text;

namespace Meshy.Filters.Http1;

/// <summary>Maps field names to <see cref="Http1KnownHeader"/> (field names are case-insensitive, RFC 9110 §5.1).</summary>
internal static class Http1KnownHeaders
{
    /// <summary>The number of <see cref="Http1KnownHeader"/> values, <see cref="Http1KnownHeader.None"/> included.</summary>
    public const int Count = (int)Http1KnownHeader.Trailer + 1;

    /// <summary>Classifies a field name; <see cref="Http1KnownHeader.None"/> for any other name.</summary>
    public static Http1KnownHeader Lookup(ReadOnlySpan<byte> name)
    {
        // The length picks at most two candidates, so an unknown name costs one switch and at most
        // two comparisons that stop at the first differing byte.
        switch (name.Length)
        {
            case 2:
                return Ascii.EqualsIgnoreCase(name, "te"u8) ? Http1KnownHeader.TE : Http1KnownHeader.None;
            case 4:
                return Ascii.EqualsIgnoreCase(name, "host"u8) ? Http1KnownHeader.Host : Http1KnownHeader.None;
            case 6:
                return Ascii.EqualsIgnoreCase(name, "expect"u8) ? Http1KnownHeader.Expect : Http1KnownHeader.None;
            case 7:
                if (Ascii.EqualsIgnoreCase(name, "upgrade"u8))
                {
                    return Http1KnownHeader.Upgrade;
                }
                return Ascii.EqualsIgnoreCase(name, "trailer"u8) ? Http1KnownHeader.Trailer : Http1KnownHeader.None;
            case 10:
                if (Ascii.EqualsIgnoreCase(name, "connection"u8))
                {
                    return Http1KnownHeader.Connection;
                }
                return Ascii.EqualsIgnoreCase(name, "keep-alive"u8) ? Http1KnownHeader.KeepAlive : Http1KnownHeader.None;
            case 14:
                return Ascii.EqualsIgnoreCase(name, "content-length"u8) ? Http1KnownHeader.ContentLength : Http1KnownHeader.None;
            case 16:
                return Ascii.EqualsIgnoreCase(name, "proxy-connection"u8) ? Http1KnownHeader.ProxyConnection : Http1KnownHeader.None;
            case 17:
                return Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8) ? Http1KnownHeader.TransferEncoding : Http1KnownHeader.None;
            default:
                return Http1KnownHeader.None;
        }
    }

    /// <summary>The lowercase wire name of a known field; empty for <see cref="Http1KnownHeader.None"/>.</summary>
    public static ReadOnlySpan<byte> GetName(Http1KnownHeader header) => header switch
    {
        Http1KnownHeader.Host => "host"u8,
        Http1KnownHeader.ContentLength => "content-length"u8,
        Http1KnownHeader.TransferEncoding => "transfer-encoding"u8,
        Http1KnownHeader.Connection => "connection"u8,
        Http1KnownHeader.Upgrade => "upgrade"u8,
        Http1KnownHeader.Expect => "expect"u8,
        Http1KnownHeader.TE => "te"u8,
        Http1KnownHeader.ProxyConnection => "proxy-connection"u8,
        Http1KnownHeader.KeepAlive => "keep-alive"u8,
        Http1KnownHeader.Trailer => "trailer"u8,
        _ => [],
    };

    /// <summary>
    /// True for the fields that describe one connection and never cross a proxy (RFC 9110 §7.6.1,
    /// RFC 9112 §6.1 and §7.4): a proxy drops them and writes its own framing.
    /// </summary>
    public static bool IsHopByHop(Http1KnownHeader header) => header is
        Http1KnownHeader.Connection or Http1KnownHeader.TransferEncoding or Http1KnownHeader.Upgrade
        or Http1KnownHeader.TE or Http1KnownHeader.ProxyConnection or Http1KnownHeader.KeepAlive
        or Http1KnownHeader.Trailer;
}
