using System.Text;
using Meshy.Engine.Http;

namespace Meshy.Filters.HttpConnectionManager;

/// <summary>
/// The headers a proxy adds on the way upstream: the client appended to X-Forwarded-For,
/// X-Forwarded-Proto, and an x-request-id when the client sent none. One place for every
/// downstream codec (HTTP/1.1 now, HTTP/2 next) and for the benchmark of the request path.
/// </summary>
internal static class ForwardingHeaders
{
    /// <summary>Applies the forwarding headers to <paramref name="headers"/> for a client at <paramref name="clientAddress"/> (ASCII).</summary>
    public static void Apply(HttpHeaderList headers, ReadOnlySpan<byte> clientAddress)
    {
        // One pass over the client's fields finds all three names (this runs for every request).
        int forwarded = -1;
        int forwardedLines = 0;
        bool hasRequestId = false;
        for (int i = 0; i < headers.SlotCount; i++)
        {
            if (headers.IsRemoved(i))
            {
                continue;
            }
            ReadOnlySpan<byte> name = headers.GetName(i);
            switch (name.Length)
            {
                case 12 when Ascii.EqualsIgnoreCase(name, "x-request-id"u8):
                    hasRequestId = true;
                    break;
                case 15 when Ascii.EqualsIgnoreCase(name, "x-forwarded-for"u8):
                    forwarded = i;
                    forwardedLines++;
                    break;
                case 17 when Ascii.EqualsIgnoreCase(name, "x-forwarded-proto"u8):
                    headers.RemoveAt(i);
                    break;
            }
        }
        if (forwardedLines == 1)
        {
            headers.Add("x-forwarded-for"u8, headers.GetValue(forwarded), ", "u8, clientAddress);
            headers.RemoveAt(forwarded);
        }
        else
        {
            // None, or several lines: one more line appends to the list all the same (RFC 9110 §5.3).
            headers.Add("x-forwarded-for"u8, clientAddress);
        }
        headers.Add("x-forwarded-proto"u8, "http"u8);
        if (!hasRequestId)
        {
            Span<byte> id = stackalloc byte[HttpRequestIdGenerator.Length];
            HttpRequestIdGenerator.Write(id);
            headers.Add("x-request-id"u8, id);
        }
    }
}
