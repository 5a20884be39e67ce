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
        int forwarded = headers.IndexOf("x-forwarded-for"u8);
        if (forwarded >= 0 && headers.IndexOf("x-forwarded-for"u8, forwarded + 1) < 0)
        {
            headers.Add("x-forwarded-for"u8, headers.GetValue(forwarded), ", "u8, clientAddress);
            headers.RemoveAt(forwarded);
        }
        else
        {
            // None, or several lines: one more line appends to the list all the same (RFC 9110 §5.3).
            headers.Add("x-forwarded-for"u8, clientAddress);
        }
        headers.Set("x-forwarded-proto"u8, "http"u8);
        if (!headers.Contains("x-request-id"u8))
        {
            Span<byte> id = stackalloc byte[HttpRequestIdGenerator.Length];
            HttpRequestIdGenerator.Write(id);
            headers.Add("x-request-id"u8, id);
        }
    }
}
