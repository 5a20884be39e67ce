using Meshy.Conf.Schema;
using Meshy.Filters.Http1;

namespace Meshy.Filters.HttpConnectionManager;

/// <summary>The listener settings of an <see cref="HttpConnectionManager"/>, compiled per snapshot.</summary>
internal sealed record HttpConnectionManagerSettings
{
    /// <summary>Parser limits: <c>max_request_line</c> (414), <c>max_header_bytes</c> and <c>max_header_count</c> (431).</summary>
    public Http1Limits Limits { get; init; } = Http1Limits.Default;

    /// <summary><c>request_header_timeout</c>: from a request's first byte to its complete head; then 408 and close. Default 10s.</summary>
    public TimeSpan RequestHeaderTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>idle_timeout</c>: a connection waiting this long for its next request is closed; zero disables. Default 60s.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>http2</c>: the streams, windows and settings HTTP/2 connections advertise.</summary>
    public Http2Config Http2 { get; init; } = Http2Config.Default;
}
