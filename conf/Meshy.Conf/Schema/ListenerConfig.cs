using System.Collections.Immutable;
using Meshy.Engine.Runtime;

namespace Meshy.Conf.Schema;

/// <summary><c>[[listeners]]</c>: a socket Meshy accepts connections on, and what it does with them.</summary>
public sealed record ListenerConfig
{
    /// <summary>Default of <see cref="MaxRequestLine"/>: 8 KiB.</summary>
    public const int DefaultMaxRequestLine = 8 * 1024;

    /// <summary>Default of <see cref="MaxHeaderBytes"/>: 60 KiB (Envoy's <c>max_request_headers_kb</c>).</summary>
    public const int DefaultMaxHeaderBytes = 60 * 1024;

    /// <summary>Default of <see cref="MaxHeaderCount"/>: 100 (Envoy's default).</summary>
    public const int DefaultMaxHeaderCount = 100;

    /// <summary>Default of <see cref="RequestHeaderTimeout"/>: 10s.</summary>
    public static readonly TimeSpan DefaultRequestHeaderTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Default of <see cref="IdleTimeout"/>: 60s.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Default of <see cref="ProtocolDetectionTimeout"/>: 100ms (Istio's former default).</summary>
    public static readonly TimeSpan DefaultProtocolDetectionTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary><c>name</c>: unique across listeners; the identity a reload keeps sockets by. Required.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// <c>address</c>: where to bind, an IP literal or <c>localhost</c> with a port (<c>0.0.0.0:8080</c>,
    /// <c>[::]:8080</c>; port 0 picks a free port). Required; unique across listeners and admin.
    /// </summary>
    public required ConfigAddress Address { get; init; }

    /// <summary><c>protocol</c>: <c>http</c> (default), <c>tcp</c> or <c>auto</c>.</summary>
    public ListenerProtocol Protocol { get; init; } = ListenerProtocol.Http;

    /// <summary>
    /// <c>routes</c>: the route tables (by name) that serve HTTP on this listener; one name or an
    /// array (virtual hosts picked by Host). Required for <c>http</c> and <c>auto</c>, not allowed for <c>tcp</c>.
    /// </summary>
    public ImmutableArray<string> Routes { get; init; } = [];

    /// <summary>
    /// <c>cluster</c>: where a <c>tcp</c> listener (or the non-HTTP side of an <c>auto</c> listener)
    /// forwards bytes. Not allowed for <c>http</c>.
    /// </summary>
    public string? Cluster { get; init; }

    /// <summary>
    /// <c>original_destination</c>: the upstream is the socket's original destination (SO_ORIGINAL_DST,
    /// after an iptables REDIRECT) unless a route matches or a cluster is named. Default <c>false</c>.
    /// </summary>
    public bool OriginalDestination { get; init; }

    /// <summary><c>max_request_line</c>: longest request line in bytes (HTTP/2: method, :path and " HTTP/1.1"); longer gets 414. Default 8192, range 256–1 048 576.</summary>
    public int MaxRequestLine { get; init; } = DefaultMaxRequestLine;

    /// <summary>
    /// <c>max_header_bytes</c>: largest request header block in bytes (HTTP/1 head or decoded HTTP/2 header
    /// list); larger gets 431. Default 61 440, range 1024–8 388 608.
    /// </summary>
    public int MaxHeaderBytes { get; init; } = DefaultMaxHeaderBytes;

    /// <summary><c>max_header_count</c>: most request headers; more gets 431. Default 100, range 1–10 000.</summary>
    public int MaxHeaderCount { get; init; } = DefaultMaxHeaderCount;

    /// <summary>
    /// <c>request_header_timeout</c>: how long a client may take to send a complete request head once it
    /// started one; then 408 and close. Default <c>10s</c>, range above 0 up to 1h.
    /// </summary>
    public TimeSpan RequestHeaderTimeout { get; init; } = DefaultRequestHeaderTimeout;

    /// <summary>
    /// <c>idle_timeout</c>: a downstream connection with no request in flight and no bytes moving for this
    /// long is closed (TCP sessions too). <c>"0s"</c> disables it. Default <c>60s</c>, range 0s–24h.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;

    /// <summary>
    /// <c>protocol_detection_timeout</c> (<c>auto</c> listeners only): how long a connection may stay silent
    /// before it is passed through as TCP (server-speaks-first protocols). <c>"0s"</c> waits for the client's
    /// first bytes however long. Default <c>100ms</c>, range 0s–1m.
    /// </summary>
    public TimeSpan ProtocolDetectionTimeout { get; init; } = DefaultProtocolDetectionTimeout;

    /// <summary><c>http2</c>: HTTP/2 settings advertised to clients of this listener.</summary>
    public Http2Config Http2 { get; init; } = Http2Config.Default;
}
