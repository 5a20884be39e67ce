using System.Collections.Frozen;
using System.Net;
using System.Runtime.CompilerServices;
using Meshy.Engine.Logging;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Tasks;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.TcpProxy;

/// <summary>
/// The L4 terminal filter of <c>original_destination = true</c> listeners without a cluster: connects to
/// the connection's original destination (the address the client dialled before iptables redirected it)
/// and copies bytes both ways with the TCP proxy's <see cref="TcpProxySession"/>, untouched.
/// </summary>
/// <remarks>
/// Each connection gets an ad-hoc endpoint, named after Istio's <c>PassthroughCluster</c> (the cluster
/// Istio sends traffic to unknown destinations through), so metrics and the access log read the same
/// as Istio's. No retry: there is exactly one destination, the one the client chose.
/// </remarks>
internal sealed partial class PassthroughFilter(
    UpstreamConnector connector,
    ILogger logger,
    TcpProxyMetrics? metrics = null,
    TimeSpan? connectTimeout = null) : INetworkFilter
{
    /// <summary>The cluster name of passthrough sessions in metrics and the access log (Istio's).</summary>
    public const string ClusterName = "PassthroughCluster";

    /// <summary>Connect timeout to an original destination: 1s, Istio's default <c>connectTimeout</c>.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger = logger;
    private readonly TcpProxyCounters _counters = (metrics ?? new TcpProxyMetrics()).ForCluster(ClusterName);
    private readonly TimeSpan _connectTimeout = connectTimeout ?? DefaultConnectTimeout;

    /// <summary>The counters of <see cref="ClusterName"/>.</summary>
    public TcpProxyCounters Counters => _counters;

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public async ValueTask<FilterStatus> OnConnectionAsync(ConnectionContext connection)
    {
        long started = TurnClock.GetTimestamp();
        connection.UpstreamCluster = ClusterName;
        if (connection.OriginalDestination is not { } destination)
        {
            // The listener refuses such connections before the chain runs; this is a misuse (tests).
            connection.ResponseFlags |= ResponseFlags.NoHealthyUpstream;
            return FilterStatus.Stop;
        }
        // NOTE: one endpoint per connection is the one allocation of this path that cannot be shared:
        // original destinations are unbounded, and a cache keyed by them would be a memory leak.
        string address = destination.ToString();
        var endpoint = new EndpointSnapshot
        {
            Address = address,
            EndPoint = destination,
            Labels = FrozenDictionary<string, string>.Empty,
            State = new EndpointState(ClusterName, address),
        };
        UpstreamConnectResult result = await connector.ConnectAsync(endpoint, _connectTimeout, connection.Closing).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            if (result.Failure != ConnectFailure.Canceled)
            {
                connection.ResponseFlags |= ResponseFlags.UpstreamConnectionFailure;
                _counters.ConnectFailed();
                LogConnectFailed(connection.Id, destination, result.Failure, result.SocketError);
            }
            connection.Snapshot.Telemetry.OnTcpSessionClosed(connection, started);
            return FilterStatus.Stop;
        }
        UpstreamConnection upstream = result.Connection;
        connection.UpstreamEndpoint = endpoint;
        endpoint.State.RequestStarted();
        _counters.SessionOpened();
        connection.Snapshot.Telemetry.OnTcpSessionOpened(connection);
        LogSessionStarted(connection.Id, destination);
        var session = new TcpProxySession(connection, upstream, _counters);
        try
        {
            await session.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            upstream.Dispose();
            endpoint.State.RequestFinished();
            _counters.SessionClosed();
            connection.BytesReceived = upstream.Sender.BytesSent;
            connection.ResponseFlags |= session.ResponseFlags;
            LogSessionEnded(connection.Id, destination, upstream.Sender.BytesSent, connection.Sender.BytesSent, session.Aborted);
            connection.Snapshot.Telemetry.OnTcpSessionClosed(connection, started);
        }
        return FilterStatus.Stop;
    }

    [LoggerMessage(EventId = EventIds.PassthroughConnectFailed, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: connect to original destination {Destination} failed: {Failure} ({SocketError})")]
    private partial void LogConnectFailed(long connectionId, IPEndPoint destination, ConnectFailure failure, System.Net.Sockets.SocketError socketError);

    [LoggerMessage(EventId = EventIds.PassthroughSessionStarted, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: passing through to original destination {Destination}")]
    private partial void LogSessionStarted(long connectionId, IPEndPoint destination);

    [LoggerMessage(EventId = EventIds.PassthroughSessionEnded, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: passthrough to {Destination} ended, {Received} bytes up, {Sent} bytes down, aborted: {Aborted}")]
    private partial void LogSessionEnded(long connectionId, IPEndPoint destination, long received, long sent, bool aborted);
}
