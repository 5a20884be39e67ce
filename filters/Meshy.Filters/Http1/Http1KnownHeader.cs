namespace Meshy.Filters.Http1;

/// <summary>
/// The fields the codec interprets while parsing, so the proxy can re-frame a message and drop
/// hop-by-hop fields (RFC 9110 §7.6.1) without scanning the names again.
/// </summary>
internal enum Http1KnownHeader : byte
{
    /// <summary>Any other field.</summary>
    None = 0,
    Host,
    ContentLength,
    TransferEncoding,
    Connection,
    Upgrade,
    Expect,
    TE,
    ProxyConnection,
    KeepAlive,
    Trailer,
}
