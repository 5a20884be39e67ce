using System.Runtime.CompilerServices;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Tasks;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.LoadBalancing;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.TcpProxy;

/// <summary>
/// The L4 terminal filter (<c>protocol = "tcp"</c>, <c>cluster = "..."</c>): picks an endpoint of the
/// cluster with its load balancer, connects within <c>connect_timeout</c> (trying another endpoint on a
/// failed connect, up to <see cref="MaxConnectAttempts"/>), then copies bytes both ways until both
/// directions have ended. With no endpoint or no connect, or past the cluster's <c>limits.max_connections</c>
/// (<c>UO</c>), the downstream is closed at once.
/// </summary>
/// <remarks>
/// Compiled once per snapshot and shared by every connection on it: per-connection state lives in
/// <see cref="TcpProxySession"/> and <see cref="ConnectionContext"/>. <c>Draining</c> is ignored on
/// purpose: an L4 session has no boundary at which to stop early, so it runs until it ends or <c>Closing</c>.
/// </remarks>
internal sealed partial class TcpProxyFilter : INetworkFilter
{
    /// <summary>Connect attempts per session when the cluster has that many endpoints.</summary>
    public const int DefaultMaxConnectAttempts = 3;

    private readonly ClusterSnapshot _cluster;
    private readonly UpstreamConnector _connector;
    private readonly ILogger _logger;
    private readonly TcpProxyCounters _counters;
    private readonly TimeProvider _time;
    private readonly TcpConnectionLimit? _limit;

    /// <summary>Proxies to <paramref name="cluster"/>.</summary>
    /// <param name="cluster">The cluster of <c>listeners[].cluster</c>, from the same snapshot.</param>
    /// <param name="connector">Opens upstream connections.</param>
    /// <param name="logger">Per-session events at Debug.</param>
    /// <param name="metrics">Process-wide counters; a private instance when null (tests).</param>
    /// <param name="time">The clock for ejection checks; the system clock when null.</param>
    /// <param name="maxConnectAttempts">Attempts per session, each on a different endpoint; at least 1.</param>
    /// <param name="limit">The cluster's <c>max_connections</c>; none when null.</param>
    public TcpProxyFilter(
        ClusterSnapshot cluster,
        UpstreamConnector connector,
        ILogger logger,
        TcpProxyMetrics? metrics = null,
        TimeProvider? time = null,
        int maxConnectAttempts = DefaultMaxConnectAttempts,
        TcpConnectionLimit? limit = null)
    {
        _limit = limit;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConnectAttempts, 1);
        _cluster = cluster;
        _connector = connector;
        _logger = logger;
        _counters = (metrics ?? new TcpProxyMetrics()).ForCluster(cluster.Name);
        _time = time ?? TimeProvider.System;
        MaxConnectAttempts = Math.Min(maxConnectAttempts, Math.Max(1, cluster.Endpoints.Length));
    }

    /// <summary>The cluster this filter proxies to.</summary>
    public ClusterSnapshot Cluster => _cluster;

    /// <summary>The counters of <see cref="Cluster"/>.</summary>
    public TcpProxyCounters Counters => _counters;

    /// <summary>Connect attempts per session: the configured bound, at most one per endpoint.</summary>
    public int MaxConnectAttempts { get; }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public async ValueTask<FilterStatus> OnConnectionAsync(ConnectionContext connection)
    {
        long started = TurnClock.GetTimestamp();
        connection.UpstreamCluster = _cluster.Name;
        if (_limit is { } limit && !limit.TryEnter())
        {
            connection.ResponseFlags |= ResponseFlags.UpstreamOverflow;
            LogOverflow(connection.Id, _cluster.Name, limit.MaxConnections);
            connection.Snapshot.Telemetry.OnTcpSessionClosed(connection, started);
            return FilterStatus.Stop;
        }
        UpstreamConnection? upstream;
        try
        {
            upstream = await ConnectAsync(connection).ConfigureAwait(false);
        }
        catch
        {
            _limit?.Exit();
            throw;
        }
        if (upstream is null)
        {
            _limit?.Exit();
            connection.Snapshot.Telemetry.OnTcpSessionClosed(connection, started);
            // Stop: the listener completes the downstream's pipes and closes its socket now.
            return FilterStatus.Stop;
        }
        connection.UpstreamEndpoint = upstream.Endpoint;
        EndpointState endpoint = upstream.Endpoint.State;
        endpoint.RequestStarted();
        _counters.SessionOpened();
        connection.Snapshot.Telemetry.OnTcpSessionOpened(connection);
        LogSessionStarted(connection.Id, _cluster.Name, upstream.Endpoint.Address);
        var session = new TcpProxySession(connection, upstream, _counters);
        try
        {
            await session.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            upstream.Dispose();
            _limit?.Exit();
            endpoint.RequestFinished();
            _counters.SessionClosed();
            connection.BytesReceived = upstream.Sender.BytesSent;
            connection.ResponseFlags |= session.ResponseFlags;
            LogSessionEnded(connection.Id, upstream.Sender.BytesSent, connection.Sender.BytesSent, session.Aborted);
            connection.Snapshot.Telemetry.OnTcpSessionClosed(connection, started);
        }
        return FilterStatus.Stop;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<UpstreamConnection?> ConnectAsync(ConnectionContext connection)
    {
        EndpointSnapshot? previous = null;
        bool panic = false;
        for (int attempt = 0; attempt < MaxConnectAttempts; attempt++)
        {
            var context = new LoadBalancerContext(_time.GetUtcNow().UtcTicks, panic: panic);
            EndpointSnapshot? endpoint = _cluster.LoadBalancer.Pick(in context, previous);
            if (endpoint is null && previous is null)
            {
                // Panic mode (Envoy's): no endpoint is available, so try them all rather than refuse everyone.
                panic = true;
                context = new LoadBalancerContext(context.NowTicks, panic: true);
                endpoint = _cluster.LoadBalancer.Pick(in context);
                if (endpoint is not null)
                {
                    _cluster.Health?.EnterPanic();
                }
            }
            else if (previous is null)
            {
                _cluster.Health?.LeavePanic();
            }
            if (endpoint is null)
            {
                if (previous is null)
                {
                    connection.ResponseFlags |= ResponseFlags.NoHealthyUpstream;
                    _counters.NoEndpoint();
                    LogNoHealthyUpstream(connection.Id, _cluster.Name);
                }
                return null;
            }
            if (ReferenceEquals(endpoint, previous))
            {
                // The balancer has nothing else available: another try would hit the same wall.
                return null;
            }
            UpstreamConnectResult result = await _connector
                .ConnectAsync(endpoint, _cluster.ConnectTimeout, connection.Closing)
                .ConfigureAwait(false);
            if (result.Succeeded)
            {
                _cluster.OutlierDetector?.ReportSuccess(endpoint.State);
                return result.Connection;
            }
            if (result.Failure == ConnectFailure.Canceled)
            {
                return null;
            }
            _cluster.OutlierDetector?.ReportGatewayFailure(endpoint.State);
            connection.ResponseFlags |= ResponseFlags.UpstreamConnectionFailure;
            _counters.ConnectFailed();
            LogConnectFailed(connection.Id, _cluster.Name, endpoint.Address, result.Failure, result.SocketError, attempt + 1, MaxConnectAttempts);
            previous = endpoint;
        }
        return null;
    }
}
