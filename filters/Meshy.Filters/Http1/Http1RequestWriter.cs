using Meshy.Engine.Http;

namespace Meshy.Filters.Http1;

/// <summary>
/// Serialises a protocol-neutral request head as an HTTP/1.1 request head for an upstream (RFC 9112 §3):
/// origin-form target (authority-form for CONNECT), <c>host</c> from the authority, the end-to-end
/// fields as they are (the codec removed hop-by-hop ones), and framing chosen here.
/// </summary>
/// <remarks>
/// <code>
///   POST /a?x=1 HTTP/1.1\r\n
///   host: example.com\r\n                 from the request's authority, always first
///   ...end-to-end fields...\r\n
///   content-length: 42\r\n               or transfer-encoding: chunked when the length is unknown
///   connection: upgrade\r\n              only for a protocol switch, with its upgrade field
///   upgrade: websocket\r\n
///   \r\n
/// </code>
/// </remarks>
internal static class Http1RequestWriter
{
    /// <summary>Writes the head; returns true when the body must be sent chunked.</summary>
    public static bool WriteHead(HttpRequestHead request, Http1OutputBuffer output)
    {
        // 1. request-line: CONNECT uses authority-form (§3.2.3), everything else origin-form (§3.2.1)
        output.Write(request.MethodBytes);
        output.Write(" "u8);
        if (request.IsConnect)
        {
            output.Write(request.Authority);
        }
        else
        {
            output.Write(request.Path.IsEmpty ? "/"u8 : request.Path);
            if (request.HasQuery)
            {
                output.Write("?"u8);
                output.Write(request.Query);
            }
        }
        output.Write(" HTTP/1.1\r\n"u8);

        // 2. host (RFC 9112 §3.2: a client sends Host in every HTTP/1.1 request)
        output.WriteField("host"u8, request.Authority);

        // 3. end-to-end fields
        HttpHeaderList headers = request.Headers;
        for (int i = 0; i < headers.SlotCount; i++)
        {
            if (!headers.IsRemoved(i))
            {
                output.WriteField(headers.GetName(i), headers.GetValue(i));
            }
        }

        // 4. framing (§6): the length when known, else chunked; nothing for a request without a body
        bool chunked = false;
        if (request.HasBody)
        {
            if (request.ContentLength >= 0)
            {
                output.Write("content-length: "u8);
                output.WriteDecimal(request.ContentLength);
                output.Write("\r\n"u8);
            }
            else
            {
                output.Write("transfer-encoding: chunked\r\n"u8);
                chunked = true;
            }
        }

        // 5. a protocol switch names itself in Connection (RFC 9110 §7.8)
        if (request.IsUpgrade)
        {
            output.Write("connection: upgrade\r\n"u8);
            output.WriteField("upgrade"u8, request.Upgrade);
        }
        output.Write("\r\n"u8);
        return chunked;
    }
}
