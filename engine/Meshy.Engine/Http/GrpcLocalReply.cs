using System.Buffers.Text;
using Meshy.Engine.Pipeline;

namespace Meshy.Engine.Http;

/// <summary>
/// The gRPC form of the proxy's own answers. A gRPC client reads the outcome of a call from
/// <c>grpc-status</c>, not from the HTTP status, so a local reply to a gRPC request is sent as a
/// "trailers-only" response: HTTP 200, <c>content-type: application/grpc</c>, <c>grpc-status</c> and
/// <c>grpc-message</c> in the head, no body (gRPC over HTTP/2 spec, "Responses").
/// </summary>
public static class GrpcLocalReply
{
    /// <summary>gRPC's <c>DEADLINE_EXCEEDED</c>.</summary>
    public const int DeadlineExceeded = 4;

    private static ReadOnlySpan<byte> ContentTypePrefix => "application/grpc"u8;

    /// <summary>True when the request is a gRPC call: its <c>content-type</c> starts with <c>application/grpc</c>.</summary>
    public static bool IsGrpc(HttpRequestHead request) =>
        request.Headers.TryGetValue("content-type"u8, out ReadOnlySpan<byte> value)
        && value.Length >= ContentTypePrefix.Length
        && System.Text.Ascii.EqualsIgnoreCase(value[..ContentTypePrefix.Length], ContentTypePrefix);

    /// <summary>
    /// The <c>grpc-status</c> for an HTTP status the proxy answered, per gRPC's "HTTP to gRPC Status Code
    /// Mapping"; a route timeout (<c>UT</c>) is <c>DEADLINE_EXCEEDED</c>, which says more than UNAVAILABLE.
    /// </summary>
    public static int StatusFor(int httpStatus, ResponseFlags flags)
    {
        if ((flags & ResponseFlags.UpstreamRequestTimeout) != 0)
        {
            return DeadlineExceeded;
        }
        return httpStatus switch
        {
            400 => 13,                      // INTERNAL
            401 => 16,                      // UNAUTHENTICATED
            403 => 7,                       // PERMISSION_DENIED
            404 => 12,                      // UNIMPLEMENTED
            429 or 502 or 503 or 504 => 14, // UNAVAILABLE
            _ => 2,                         // UNKNOWN
        };
    }

    /// <summary>
    /// Rewrites <paramref name="response"/> into the trailers-only form with <paramref name="grpcStatus"/>
    /// and <paramref name="message"/> (the local reply's text, one line, percent-encoded as the spec asks).
    /// </summary>
    public static void Write(HttpResponseHead response, int grpcStatus, ReadOnlySpan<byte> message)
    {
        response.Reset();
        response.StatusCode = 200;
        response.ContentLength = 0;
        response.HasBody = false;
        response.Headers.Add("content-type"u8, "application/grpc"u8);
        Span<byte> digits = stackalloc byte[11];
        Utf8Formatter.TryFormat(grpcStatus, digits, out int written);
        response.Headers.Add("grpc-status"u8, digits[..written]);
        message = message.TrimEnd("\r\n"u8);
        if (message.IsEmpty)
        {
            return;
        }
        // The local replies are short; a longer message is cut rather than allocated for.
        Span<byte> encoded = stackalloc byte[256];
        response.Headers.Add("grpc-message"u8, encoded[..PercentEncode(message, encoded)]);
    }

    /// <summary>gRPC's percent-encoding: bytes outside 0x20–0x7E and <c>%</c> become <c>%XX</c>; stops when <paramref name="output"/> is full.</summary>
    private static int PercentEncode(ReadOnlySpan<byte> message, Span<byte> output)
    {
        int length = 0;
        foreach (byte b in message)
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
            {
                if (length + 1 > output.Length)
                {
                    break;
                }
                output[length++] = b;
                continue;
            }
            if (length + 3 > output.Length)
            {
                break;
            }
            output[length++] = (byte)'%';
            output[length++] = (byte)"0123456789ABCDEF"[b >> 4];
            output[length++] = (byte)"0123456789ABCDEF"[b & 0xF];
        }
        return length;
    }
}
