using Meshy.Engine.Http;
using Meshy.Engine.Observability;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Filters.Http1;
using Meshy.Filters.Http2.Connection;
using Meshy.Filters.Observability.AccessLog;
using Meshy.Filters.Observability.Metrics;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Observability;

/// <summary>
/// One snapshot's metrics and access log: the series of every destination it can produce, resolved when
/// it was compiled, and its <c>[access_log]</c> (null when off). Recording never throws into the data
/// path: a failure is logged and the request goes on.
/// </summary>
internal sealed partial class ProxyTelemetry(
    DestinationTable<HttpSeriesSet> http,
    DestinationTable<HttpSeriesSet> grpc,
    DestinationTable<TcpSeriesSet> tcp,
    AccessLogFormatter? accessLog,
    ILogger logger) : IProxyTelemetry
{
    /// <summary>The access log of this snapshot; null when disabled.</summary>
    public AccessLogFormatter? AccessLog => accessLog;

    /// <inheritdoc />
    public void OnHttpExchangeCompleted(HttpExchange exchange)
    {
        try
        {
            long end = TurnClock.GetTimestamp();
            double milliseconds = TurnClock.Elapsed(exchange.StartTimestamp, end).TotalMilliseconds;
            long requestBytes = exchange.RequestBody switch
            {
                Http1BodyReader body => body.BytesRead,
                Http2RequestBody body => body.BytesRead,
                _ => 0,
            };
            long responseBytes = exchange.ResponseBytes >= 0 ? exchange.ResponseBytes : exchange.Connection.Sender.BytesSent - exchange.SentBytesAtStart;
            // request_protocol is "grpc" for gRPC requests, as Istio reports them, whatever the HTTP version.
            (exchange.IsGrpc ? grpc : http)
                .Find(exchange.Connection.Listener.OriginalDestination, exchange.Cluster?.Name, exchange.Subset, exchange.Endpoint)
                .Get(exchange.Response.StatusCode, exchange.ResponseFlags, exchange.GrpcStatus)
                .Record(milliseconds, requestBytes, responseBytes);
            accessLog?.WriteHttp(exchange, end, requestBytes, responseBytes);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogRecordFailed(logger, exchange.Connection.Id, ex);
        }
    }

    /// <inheritdoc />
    public void OnHttpRejected(ConnectionContext connection, int version, int status, ResponseFlags flags, long startTimestamp, long responseBytes)
    {
        try
        {
            long end = TurnClock.GetTimestamp();
            double milliseconds = TurnClock.Elapsed(startTimestamp, end).TotalMilliseconds;
            // No route, no cluster: destination_service="unknown"; the body was never read (0 bytes).
            http.Find(connection.Listener.OriginalDestination, cluster: null, subset: null, endpoint: null)
                .Get(status, flags)
                .Record(milliseconds, requestBytes: 0, responseBytes);
            accessLog?.WriteRejected(connection, version, status, flags, startTimestamp, end, responseBytes);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogRecordFailed(logger, connection.Id, ex);
        }
    }

    /// <inheritdoc />
    public void OnTcpSessionOpened(ConnectionContext connection)
    {
        try
        {
            Find(connection).Opened();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogRecordFailed(logger, connection.Id, ex);
        }
    }

    /// <inheritdoc />
    public void OnTcpSessionClosed(ConnectionContext connection, long startTimestamp)
    {
        try
        {
            long end = TurnClock.GetTimestamp();
            TcpSeriesSet series = Find(connection);
            if (connection.UpstreamEndpoint is null)
            {
                // Never reached an upstream (UH, UF): Istio still reports the connection, opened and closed.
                series.Opened();
            }
            series.Closed(connection.ResponseFlags, connection.BytesReceived, connection.Sender.BytesSent);
            accessLog?.WriteTcp(connection, startTimestamp, end);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogRecordFailed(logger, connection.Id, ex);
        }
    }

    private TcpSeriesSet Find(ConnectionContext connection) =>
        tcp.Find(connection.Listener.OriginalDestination, connection.UpstreamCluster, subset: null, connection.UpstreamEndpoint);

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.TelemetryRecordFailed, Level = LogLevel.Warning, Message = "connection {ConnectionId}: recording metrics or the access log failed")]
    private static partial void LogRecordFailed(ILogger logger, long connectionId, Exception exception);
}
