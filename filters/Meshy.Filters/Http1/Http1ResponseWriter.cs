using Meshy.Engine.Http;

namespace Meshy.Filters.Http1;

/// <summary>
/// Serialises a protocol-neutral response head as an HTTP/1.1 status line and fields for the client
/// (RFC 9112 §4), re-framed: hop-by-hop fields were removed by the codec, and the framing is chosen
/// here from what is known about the body and what the client speaks.
/// </summary>
/// <remarks>
/// <code>
///   HTTP/1.1 200 OK\r\n
///   ...end-to-end fields...\r\n
///   content-length: 5\r\n            known length; else transfer-encoding: chunked (HTTP/1.1 client)
///                                    or no framing and connection: close (HTTP/1.0 client)
///   connection: close\r\n            when the proxy closes after this response
///   \r\n
/// </code>
/// </remarks>
internal static class Http1ResponseWriter
{
    /// <summary>How the body that follows the head must be written.</summary>
    public enum BodyFraming : byte
    {
        /// <summary>No body follows.</summary>
        None,
        /// <summary>The body's bytes as they are (content-length, or until close).</summary>
        Raw,
        /// <summary>The chunked coding.</summary>
        Chunked,
    }

    /// <summary>
    /// Writes the head of <paramref name="response"/> for a request of <paramref name="method"/> from a
    /// client speaking <paramref name="clientVersion"/> (10 or 11). <paramref name="close"/> in: the
    /// proxy will close after this response; out: also true when the body must be delimited by the close.
    /// </summary>
    public static BodyFraming WriteHead(HttpResponseHead response, HttpMethodKind method, int clientVersion, ref bool close, Http1OutputBuffer output)
    {
        int status = response.StatusCode;
        output.Write("HTTP/1.1 "u8);
        output.WriteDecimal(status);
        output.Write(" "u8);
        output.Write(ReasonPhrase(status));
        output.Write("\r\n"u8);

        HttpHeaderList headers = response.Headers;
        for (int i = 0; i < headers.SlotCount; i++)
        {
            if (!headers.IsRemoved(i))
            {
                output.WriteField(headers.GetName(i), headers.GetValue(i));
            }
        }

        // RFC 9112 §6.3: 1xx, 204 and 304 never have a body, nor does any answer to HEAD; a 304 or an
        // answer to HEAD may still say what the length would have been (RFC 9110 §8.6).
        // A 2xx to CONNECT starts a tunnel: no body and no framing fields at all (RFC 9110 §9.3.6, §8.6).
        BodyFraming framing;
        bool connectTunnel = method == HttpMethodKind.Connect && status is >= 200 and < 300;
        bool noBodyByRule = status is < 200 or 204 or 304 || method == HttpMethodKind.Head || connectTunnel;
        if (noBodyByRule)
        {
            if (status is >= 200 and not 204 && response.ContentLength >= 0 && !connectTunnel)
            {
                WriteContentLength(response.ContentLength, output);
            }
            framing = BodyFraming.None;
        }
        else if (response.ContentLength >= 0)
        {
            WriteContentLength(response.ContentLength, output);
            framing = response.ContentLength > 0 && response.HasBody ? BodyFraming.Raw : BodyFraming.None;
        }
        else if (clientVersion >= 11)
        {
            output.Write("transfer-encoding: chunked\r\n"u8);
            framing = BodyFraming.Chunked;
        }
        else
        {
            // An HTTP/1.0 client knows no chunked coding: the close delimits the body (§6.3 rule 8).
            close = true;
            framing = BodyFraming.Raw;
        }

        if (status == 101)
        {
            output.Write("connection: upgrade\r\n"u8);
            output.WriteField("upgrade"u8, response.Upgrade);
        }
        else if (close)
        {
            output.Write("connection: close\r\n"u8);
        }
        else if (clientVersion == 10)
        {
            output.Write("connection: keep-alive\r\n"u8);
        }
        output.Write("\r\n"u8);
        return framing;
    }

    /// <summary>An interim <c>100 Continue</c> (RFC 9110 §15.2.1).</summary>
    public static ReadOnlySpan<byte> Continue => "HTTP/1.1 100 Continue\r\n\r\n"u8;

    /// <summary>The chunk-size line of a chunk of <paramref name="length"/> bytes.</summary>
    public static void WriteChunkHeader(long length, Http1OutputBuffer output)
    {
        output.WriteHex(length);
        output.Write("\r\n"u8);
    }

    /// <summary>The last chunk, the trailer fields if any and the final CRLF (RFC 9112 §7.1.2).</summary>
    public static void WriteLastChunk(HttpHeaderList? trailers, Http1OutputBuffer output)
    {
        output.Write("0\r\n"u8);
        if (trailers is not null)
        {
            for (int i = 0; i < trailers.SlotCount; i++)
            {
                if (!trailers.IsRemoved(i))
                {
                    output.WriteField(trailers.GetName(i), trailers.GetValue(i));
                }
            }
        }
        output.Write("\r\n"u8);
    }

    private static void WriteContentLength(long length, Http1OutputBuffer output)
    {
        output.Write("content-length: "u8);
        output.WriteDecimal(length);
        output.Write("\r\n"u8);
    }

    /// <summary>The reason phrase of the status (RFC 9110 §15); a client ignores it, so unknown codes get an empty one.</summary>
    public static ReadOnlySpan<byte> ReasonPhrase(int status) => status switch
    {
        100 => "Continue"u8,
        101 => "Switching Protocols"u8,
        200 => "OK"u8,
        201 => "Created"u8,
        202 => "Accepted"u8,
        204 => "No Content"u8,
        206 => "Partial Content"u8,
        301 => "Moved Permanently"u8,
        302 => "Found"u8,
        303 => "See Other"u8,
        304 => "Not Modified"u8,
        307 => "Temporary Redirect"u8,
        308 => "Permanent Redirect"u8,
        400 => "Bad Request"u8,
        401 => "Unauthorized"u8,
        403 => "Forbidden"u8,
        404 => "Not Found"u8,
        405 => "Method Not Allowed"u8,
        408 => "Request Timeout"u8,
        409 => "Conflict"u8,
        413 => "Content Too Large"u8,
        414 => "URI Too Long"u8,
        417 => "Expectation Failed"u8,
        429 => "Too Many Requests"u8,
        431 => "Request Header Fields Too Large"u8,
        500 => "Internal Server Error"u8,
        501 => "Not Implemented"u8,
        502 => "Bad Gateway"u8,
        503 => "Service Unavailable"u8,
        504 => "Gateway Timeout"u8,
        505 => "HTTP Version Not Supported"u8,
        _ => ""u8,
    };
}
