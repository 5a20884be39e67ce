using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Meshy.Engine.Http;
using Meshy.Filters.Http2.Hpack;

namespace Meshy.Filters.Http2.Client;

/// <summary>
/// Encodes a protocol-neutral request head as an HTTP/2 field block (RFC 9113 §8.3.1): the pseudo-header
/// fields first, then the end-to-end fields, with every connection-specific field left out (§8.2.2).
/// </summary>
/// <remarks>
/// <code>
///   :method POST            the method token as received
///   :scheme http            h2c: the proxy speaks cleartext to the upstream
///   :authority example.com  from Host (Host itself is not sent: §8.3.1 prefers :authority)
///   :path /a?x=1            origin-form, "/" when empty; CONNECT has neither :scheme nor :path (§8.5)
///   te: trailers            the only TE value HTTP/2 allows, when the client offered it
///   content-length: 42      when the body's length is known
///   ...end-to-end fields...
/// </code>
/// </remarks>
internal static class Http2RequestEncoder
{
    /// <summary>Encodes <paramref name="request"/> into <paramref name="output"/> with <paramref name="encoder"/>.</summary>
    public static void Encode(HttpRequestHead request, HpackEncoder encoder, IBufferWriter<byte> output)
    {
        var block = new HpackBlockWriter(output);
        Encode(request, encoder, ref block);
        block.Commit();
    }

    /// <summary>Encodes end-to-end fields (request headers or trailers), connection-specific ones left out.</summary>
    public static void EncodeFields(HttpHeaderList headers, HpackEncoder encoder, IBufferWriter<byte> output)
    {
        var block = new HpackBlockWriter(output);
        EncodeFields(headers, encoder, ref block);
        block.Commit();
    }

    private static void Encode(HttpRequestHead request, HpackEncoder encoder, ref HpackBlockWriter output)
    {
        encoder.EncodeField(":method"u8, request.MethodBytes, ref output);
        if (request.IsConnect)
        {
            encoder.EncodeField(":authority"u8, request.Authority, ref output);
        }
        else
        {
            encoder.EncodeField(":scheme"u8, request.Scheme, ref output);
            encoder.EncodeField(":authority"u8, request.Authority, ref output);
            EncodePath(request, encoder, ref output);
        }
        if (request.AcceptsTrailers)
        {
            encoder.EncodeField("te"u8, "trailers"u8, ref output);
        }
        if (request.HasBody && request.ContentLength >= 0)
        {
            Span<byte> digits = stackalloc byte[20];
            Utf8Formatter.TryFormat(request.ContentLength, digits, out int written);
            encoder.EncodeField("content-length"u8, digits[..written], ref output);
        }
        EncodeFields(request.Headers, encoder, ref output);
    }

    private static void EncodeFields(HttpHeaderList headers, HpackEncoder encoder, ref HpackBlockWriter output)
    {
        for (int i = 0; i < headers.SlotCount; i++)
        {
            if (headers.IsRemoved(i))
            {
                continue;
            }
            ReadOnlySpan<byte> name = headers.GetName(i);
            ReadOnlySpan<byte> value = headers.GetValue(i);
            if (!IsConnectionSpecific(name, value))
            {
                encoder.EncodeField(name, value, ref output);
            }
        }
    }

    /// <summary>
    /// True for fields HTTP/2 forbids or carries otherwise (RFC 9113 §8.2.2, §8.3.1): the hop-by-hop fields
    /// (the HTTP/1.1 codec already dropped them; a filter may have added one), Host and Content-Length (sent
    /// from the request's own properties), and TE with any value but <c>trailers</c>.
    /// </summary>
    public static bool IsConnectionSpecific(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => name.Length switch
    {
        2 => Ascii.EqualsIgnoreCase(name, "te"u8) && !Ascii.EqualsIgnoreCase(value, "trailers"u8),
        4 => Ascii.EqualsIgnoreCase(name, "host"u8),
        7 => Ascii.EqualsIgnoreCase(name, "upgrade"u8),
        10 => Ascii.EqualsIgnoreCase(name, "connection"u8) || Ascii.EqualsIgnoreCase(name, "keep-alive"u8),
        14 => Ascii.EqualsIgnoreCase(name, "content-length"u8),
        16 => Ascii.EqualsIgnoreCase(name, "proxy-connection"u8),
        17 => Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8),
        _ => false,
    };

    private static void EncodePath(HttpRequestHead request, HpackEncoder encoder, ref HpackBlockWriter output)
    {
        ReadOnlySpan<byte> path = request.Path.IsEmpty ? "/"u8 : request.Path;
        if (!request.HasQuery)
        {
            encoder.EncodeField(":path"u8, path, ref output);
            return;
        }
        int length = path.Length + 1 + request.Query.Length;
        byte[]? rented = length > 512 ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            Span<byte> target = rented is null ? stackalloc byte[512] : rented;
            path.CopyTo(target);
            target[path.Length] = (byte)'?';
            request.Query.CopyTo(target[(path.Length + 1)..]);
            encoder.EncodeField(":path"u8, target[..length], ref output);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
