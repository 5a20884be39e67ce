using System.Buffers;

namespace Meshy.Filters.Http2.Frames;

/// <summary>
/// The client connection preface (RFC 9113 §3.4): 24 fixed bytes, then the client's SETTINGS frame.
/// A server checks it before reading frames; a client writes <see cref="ClientBytes"/> first.
/// </summary>
internal static class Http2Preface
{
    /// <summary>The size of the fixed part.</summary>
    public const int Length = 24;

    /// <summary><c>PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n</c>.</summary>
    public static ReadOnlySpan<byte> ClientBytes => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>
    /// Consumes the preface. False when fewer than 24 bytes are there and they match so far (nothing
    /// consumed); throws a PROTOCOL_ERROR connection error as soon as a byte differs (§3.4).
    /// </summary>
    public static bool TryRead(ref SequenceReader<byte> reader)
    {
        int available = (int)Math.Min(reader.Remaining, Length);
        Span<byte> received = stackalloc byte[Length];
        reader.TryCopyTo(received[..available]);
        if (!received[..available].SequenceEqual(ClientBytes[..available]))
        {
            Http2ProtocolException.ThrowConnectionError(Http2ErrorCode.ProtocolError, "invalid connection preface");
        }
        if (available < Length)
        {
            return false;
        }
        reader.Advance(Length);
        return true;
    }
}
