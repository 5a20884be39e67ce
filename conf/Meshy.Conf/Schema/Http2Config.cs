namespace Meshy.Conf.Schema;

/// <summary>
/// <c>listeners[].http2</c>: the HTTP/2 settings a listener advertises (RFC 9113 §6.5.2) and its
/// connection-level flow-control window. Written as <c>http2 = { max_concurrent_streams = 100 }</c>.
/// </summary>
public sealed record Http2Config
{
    /// <summary>Largest window RFC 9113 §6.9.1 allows: 2^31 − 1.</summary>
    public const int MaxWindow = int.MaxValue;

    /// <summary>The protocol's initial window (RFC 9113 §6.9.2): 65 535 bytes.</summary>
    public const int ProtocolInitialWindow = 65_535;

    /// <summary>The defaults: 100 streams, 65 535-byte stream window, 1 MiB connection window.</summary>
    public static Http2Config Default { get; } = new();

    /// <summary>
    /// <c>max_concurrent_streams</c>: SETTINGS_MAX_CONCURRENT_STREAMS, streams a client may have open
    /// at once. Default 100, range 1–2 147 483 647.
    /// </summary>
    public int MaxConcurrentStreams { get; init; } = 100;

    /// <summary>
    /// <c>initial_stream_window</c>: SETTINGS_INITIAL_WINDOW_SIZE in bytes, how much request body a client
    /// may send on one stream before a WINDOW_UPDATE. Default 65 535, range 65 535–2 147 483 647.
    /// </summary>
    public int InitialStreamWindow { get; init; } = ProtocolInitialWindow;

    /// <summary>
    /// <c>connection_window</c>: the connection-level receive window in bytes, raised with a WINDOW_UPDATE
    /// on stream 0 right after the preface. Default 1 048 576, range 65 535–2 147 483 647.
    /// </summary>
    public int ConnectionWindow { get; init; } = 1024 * 1024;
}
