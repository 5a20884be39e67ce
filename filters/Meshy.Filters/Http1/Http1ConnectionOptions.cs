namespace Meshy.Filters.Http1;

/// <summary>The tokens found in the <c>Connection</c> field lines of a message (RFC 9110 §7.6.1).</summary>
[Flags]
internal enum Http1ConnectionOptions : byte
{
    None = 0,

    /// <summary><c>close</c>: the sender closes the connection after this message (RFC 9112 §9.6).</summary>
    Close = 1 << 0,

    /// <summary><c>keep-alive</c>: HTTP/1.0 persistence (RFC 9112 §9.3, Appendix C.2.2).</summary>
    KeepAlive = 1 << 1,

    /// <summary><c>upgrade</c>: the <c>Upgrade</c> field is meant for this hop (RFC 9110 §7.8).</summary>
    Upgrade = 1 << 2,

    /// <summary>
    /// Any other token: names a hop-by-hop field the proxy must remove before forwarding; walk the
    /// values with <see cref="Http1TokenList"/> to find them.
    /// </summary>
    Other = 1 << 3,
}
