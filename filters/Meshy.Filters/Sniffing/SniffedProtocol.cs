namespace Meshy.Filters.Sniffing;

/// <summary>What the first bytes of a connection on an <c>auto</c> listener say it speaks.</summary>
internal enum SniffedProtocol
{
    /// <summary>Not enough bytes yet: every byte so far is a prefix of an HTTP opening.</summary>
    Undecided,

    /// <summary>An HTTP/1.x request line: a known method token followed by a space.</summary>
    Http1,

    /// <summary>The HTTP/2 connection preface (h2c prior knowledge).</summary>
    Http2,

    /// <summary>Anything else (TLS, SSH, databases, binary): passed through as TCP.</summary>
    Tcp,
}
