using System.Buffers.Text;
using System.Text;

namespace Meshy.Bench.Load.Tools;

/// <summary>
/// What <c>http-rate</c> needs from an HTTP/1.1 response head: the status, the body length and
/// whether the server closes afterwards. Content-Length framing only (what http-upstream and the
/// proxies in front of it send for its fixed bodies).
/// </summary>
internal static class ResponseHead
{
    /// <summary>
    /// Parses <paramref name="head"/>, the status line through the blank line. Throws
    /// <see cref="FormatException"/> with the reason for anything it cannot frame.
    /// </summary>
    public static (int Status, long ContentLength, bool Close) Parse(ReadOnlySpan<byte> head)
    {
        // HTTP/1.1 200 OK\r\n        status = bytes 9..11
        int lineEnd = head.IndexOf("\r\n"u8);
        if (lineEnd < 12 || !head.StartsWith("HTTP/1."u8) || head[8] != ' '
            || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out int digits) || digits != 3)
        {
            throw new FormatException($"not an HTTP/1.x status line: {Abbreviate(head)}");
        }

        long contentLength = -1;
        bool close = head[7] == '0';                                // HTTP/1.0 closes unless told otherwise
        ReadOnlySpan<byte> rest = head[(lineEnd + 2)..];
        while (rest.Length > 2)
        {
            int end = rest.IndexOf("\r\n"u8);
            ReadOnlySpan<byte> line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 2)..];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }
            ReadOnlySpan<byte> name = line[..colon].Trim((byte)' ');
            ReadOnlySpan<byte> value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                if (!Utf8Parser.TryParse(value, out contentLength, out int used) || used != value.Length || contentLength < 0)
                {
                    throw new FormatException($"bad Content-Length: {Encoding.ASCII.GetString(value)}");
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                close = Ascii.EqualsIgnoreCase(value, "close"u8) || (close && !Ascii.EqualsIgnoreCase(value, "keep-alive"u8));
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                throw new FormatException("chunked responses are not supported (Content-Length only)");
            }
        }
        if (contentLength < 0)
        {
            // 1xx, 204 and 304 have no body; anything else without a length would be read to close.
            if (status is (>= 100 and < 200) or 204 or 304)
            {
                return (status, 0, close);
            }
            throw new FormatException($"response {status} has no Content-Length");
        }
        return (status, contentLength, close);
    }

    private static string Abbreviate(ReadOnlySpan<byte> head)
    {
        string text = Encoding.ASCII.GetString(head[..Math.Min(head.Length, 80)]);
        return text.Replace("\r\n", " ", StringComparison.Ordinal);
    }
}
