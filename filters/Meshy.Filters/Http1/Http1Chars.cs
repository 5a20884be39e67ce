using System.Buffers;

namespace Meshy.Filters.Http1;

/// <summary>The byte classes of the HTTP/1.1 grammar, as vectorized <see cref="SearchValues{T}"/>.</summary>
internal static class Http1Chars
{
    /// <summary>tchar (RFC 9110 §5.6.2): the bytes of a method, a field name or a list token.</summary>
    public static readonly SearchValues<byte> Token = SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>
    /// Bytes that may not appear in a field value or reason phrase: CTLs other than HTAB, and DEL
    /// (RFC 9110 §5.5). obs-text (0x80–0xFF) is allowed. CR and LF never get here: lines are split on
    /// LF and a CR anywhere else is rejected first.
    /// </summary>
    public static readonly SearchValues<byte> InvalidFieldValue = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F"u8);

    /// <summary>
    /// Bytes of a request-target: visible ASCII without '#' (RFC 3986 has no SP, CTL or non-ASCII in a
    /// URI, and RFC 9112 §3.2 has no fragment in a target).
    /// </summary>
    public static readonly SearchValues<byte> Target = SearchValues.Create(
        "!\"$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"u8);

    /// <summary>
    /// Bytes of <c>uri-host [ ":" port ]</c> (RFC 3986 §3.2.2: unreserved, pct-encoded, sub-delims, and
    /// the brackets of an IP literal). No '@': userinfo is not allowed in an http(s) authority (RFC 9110 §4.2.4).
    /// </summary>
    public static readonly SearchValues<byte> Authority = SearchValues.Create(
        "!$%&'()*+,-.0123456789:;=ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_abcdefghijklmnopqrstuvwxyz~"u8);

    /// <summary>The bytes after the first letter of a URI scheme (RFC 3986 §3.1).</summary>
    public static readonly SearchValues<byte> SchemeTail = SearchValues.Create(
        "+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>SP or HTAB: the OWS/BWS of RFC 9110 §5.6.3.</summary>
    public static bool IsWhitespace(byte value) => value is (byte)' ' or (byte)'\t';

    /// <summary>Removes leading and trailing SP and HTAB.</summary>
    public static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> value)
    {
        int start = 0;
        while (start < value.Length && IsWhitespace(value[start]))
        {
            start++;
        }
        int end = value.Length;
        while (end > start && IsWhitespace(value[end - 1]))
        {
            end--;
        }
        return value[start..end];
    }

    /// <summary>The value of a hexadecimal digit, or -1.</summary>
    public static int HexValue(byte value) => value switch
    {
        >= (byte)'0' and <= (byte)'9' => value - '0',
        >= (byte)'a' and <= (byte)'f' => value - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => value - 'A' + 10,
        _ => -1,
    };
}
