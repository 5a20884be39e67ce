using System.Buffers;

namespace Meshy.Filters.Sniffing;

/// <summary>
/// Decides from a connection's first bytes whether it speaks HTTP, without consuming them. Pure: the
/// caller owns the reading, the waiting and the timeout (<see cref="SniffingFilter"/>).
/// </summary>
/// <remarks>
/// <para>HTTP is recognised by what a client must send first:</para>
/// <list type="bullet">
/// <item>HTTP/2 prior knowledge: the 24-byte preface <c>PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n</c> (RFC 9113 §3.4).</item>
/// <item>HTTP/1.x: a request line starts with a method token and one space (RFC 9112 §3). Methods are
/// case-sensitive (RFC 9110 §9.1); the known ones are RFC 9110's eight and PATCH (RFC 5789).</item>
/// </list>
/// <para>Everything else is TCP at the first byte that no HTTP opening can start with: a TLS ClientHello
/// (<c>0x16 0x03</c>), an SSH banner (<c>SSH-</c>), a PostgreSQL startup message, and so on. An extension
/// method (WebDAV's <c>PROPFIND</c>) is TCP too: it still reaches its destination, just without routing.</para>
/// </remarks>
internal static class ProtocolSniffer
{
    /// <summary>The longest opening looked at: the HTTP/2 preface.</summary>
    public const int MaxSniffLength = 24;

    private static ReadOnlySpan<byte> Http2Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    // Each with its space: "GETX" must not count as GET.
    private static readonly byte[][] Methods =
    [
        "GET "u8.ToArray(),
        "HEAD "u8.ToArray(),
        "POST "u8.ToArray(),
        "PUT "u8.ToArray(),
        "DELETE "u8.ToArray(),
        "CONNECT "u8.ToArray(),
        "OPTIONS "u8.ToArray(),
        "TRACE "u8.ToArray(),
        "PATCH "u8.ToArray(),
    ];

    /// <summary>
    /// What <paramref name="buffer"/> (the bytes received so far, from the first) says.
    /// <see cref="SniffedProtocol.Undecided"/> means: wait for more bytes (or for the timeout).
    /// </summary>
    public static SniffedProtocol Detect(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return SniffedProtocol.Undecided;
        }
        if (buffer.IsSingleSegment)
        {
            return Detect(buffer.FirstSpan);
        }
        // Split across reads: gather the few bytes that matter (at most 24) into one span.
        Span<byte> head = stackalloc byte[MaxSniffLength];
        int length = (int)Math.Min(buffer.Length, MaxSniffLength);
        buffer.Slice(0, length).CopyTo(head);
        return Detect(head[..length]);
    }

    /// <summary>What the contiguous first bytes <paramref name="head"/> say.</summary>
    public static SniffedProtocol Detect(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty)
        {
            return SniffedProtocol.Undecided;
        }
        bool undecided = false;
        switch (Compare(head, Http2Preface))
        {
            case Match.Full:
                return SniffedProtocol.Http2;
            case Match.Prefix:
                undecided = true;
                break;
        }
        foreach (byte[] method in Methods)
        {
            switch (Compare(head, method))
            {
                case Match.Full:
                    return SniffedProtocol.Http1;
                case Match.Prefix:
                    undecided = true;
                    break;
            }
        }
        return undecided ? SniffedProtocol.Undecided : SniffedProtocol.Tcp;
    }

    private static Match Compare(ReadOnlySpan<byte> head, ReadOnlySpan<byte> opening)
    {
        if (head.Length >= opening.Length)
        {
            return head.StartsWith(opening) ? Match.Full : Match.None;
        }
        return opening.StartsWith(head) ? Match.Prefix : Match.None;
    }

    private enum Match
    {
        None,
        Prefix,
        Full,
    }
}
