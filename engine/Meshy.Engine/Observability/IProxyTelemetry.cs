using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;

namespace Meshy.Engine.Observability;

/// <summary>
/// Where a snapshot's metrics and access log are recorded: compiled once per snapshot (label children,
/// access-log field selection) and reached through <see cref="Runtime.ProxySnapshot.Telemetry"/>, so a
/// request records on the snapshot it was served on. Every method runs on the data path: it must not
/// block, and must not allocate in steady state.
/// </summary>
public interface IProxyTelemetry
{
    /// <summary>
    /// An HTTP exchange ended (response sent, local reply such as 404 <c>NR</c> or 503 <c>UO</c>, or failed);
    /// called exactly once per exchange by the connection manager, after the filters' completion phase.
    /// </summary>
    void OnHttpExchangeCompleted(HttpExchange exchange);

    /// <summary>
    /// A request the HTTP codec rejected before it became an exchange (HTTP/1.1: 400, 408 request-header timeout,
    /// 414, 431, 505; HTTP/2: a malformed request reset with PROTOCOL_ERROR, status 0): it reached no route and
    /// no cluster. Called once the error reply was sent (or failed to be).
    /// </summary>
    /// <param name="connection">The downstream connection (closed after an HTTP/1.1 reply).</param>
    /// <param name="version">The HTTP version as in <c>HttpRequestHead.Version</c>: 11, or 20 for HTTP/2.</param>
    /// <param name="status">The status sent; 0 when no response was (an HTTP/2 stream reset).</param>
    /// <param name="flags"><see cref="ResponseFlags.DownstreamProtocolError"/> for malformed bytes, none for a timeout.</param>
    /// <param name="startTimestamp"><see cref="Runtime.TurnClock.GetTimestamp"/> at the request's first byte.</param>
    /// <param name="responseBytes">Bytes of the error reply sent to the client.</param>
    void OnHttpRejected(ConnectionContext connection, int version, int status, ResponseFlags flags, long startTimestamp, long responseBytes);

    /// <summary>A TCP proxy session reached its upstream (<see cref="ConnectionContext.UpstreamEndpoint"/> is set).</summary>
    void OnTcpSessionOpened(ConnectionContext connection);

    /// <summary>
    /// A TCP proxy session ended, or failed before reaching an upstream (<c>UH</c>, <c>UF</c>: then it was
    /// never opened). <paramref name="startTimestamp"/> is <see cref="Runtime.TurnClock.GetTimestamp"/>
    /// when the session began.
    /// </summary>
    void OnTcpSessionClosed(ConnectionContext connection, long startTimestamp);
}
