using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;

namespace Meshy.Engine.Observability;

/// <summary>Records nothing: the telemetry of snapshots compiled without an observability compiler (tests, validation).</summary>
public sealed class NullProxyTelemetry : IProxyTelemetry
{
    private NullProxyTelemetry()
    {
    }

    /// <summary>The one instance.</summary>
    public static NullProxyTelemetry Instance { get; } = new();

    /// <inheritdoc />
    public void OnHttpExchangeCompleted(HttpExchange exchange)
    {
    }

    /// <inheritdoc />
    public void OnHttpRejected(ConnectionContext connection, int version, int status, ResponseFlags flags, long startTimestamp, long responseBytes)
    {
    }

    /// <inheritdoc />
    public void OnTcpSessionOpened(ConnectionContext connection)
    {
    }

    /// <inheritdoc />
    public void OnTcpSessionClosed(ConnectionContext connection, long startTimestamp)
    {
    }
}
