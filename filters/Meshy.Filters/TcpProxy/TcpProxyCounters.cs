namespace Meshy.Filters.TcpProxy;

/// <summary>
/// TCP proxy counters of one cluster, plain longs updated with interlocked adds and read at scrape
/// time (<c>istio_tcp_*</c> with <c>destination_service</c> = the cluster).
/// </summary>
internal sealed class TcpProxyCounters(string cluster)
{
    private long _connectionsOpened;
    private long _connectionsClosed;
    private long _receivedBytes;
    private long _sentBytes;
    private long _connectFailures;
    private long _noHealthyUpstream;

    /// <summary>The cluster these counters belong to.</summary>
    public string Cluster { get; } = cluster;

    /// <summary>Sessions that reached an upstream (<c>istio_tcp_connections_opened_total</c>).</summary>
    public long ConnectionsOpened => Volatile.Read(ref _connectionsOpened);

    /// <summary>Sessions that ended (<c>istio_tcp_connections_closed_total</c>).</summary>
    public long ConnectionsClosed => Volatile.Read(ref _connectionsClosed);

    /// <summary>Bytes from the downstream forwarded upstream, the request direction (<c>istio_tcp_received_bytes_total</c>).</summary>
    public long ReceivedBytes => Volatile.Read(ref _receivedBytes);

    /// <summary>Bytes from the upstream forwarded downstream, the response direction (<c>istio_tcp_sent_bytes_total</c>).</summary>
    public long SentBytes => Volatile.Read(ref _sentBytes);

    /// <summary>Upstream connects that failed (refused, timed out, unreachable); each retry counts.</summary>
    public long ConnectFailures => Volatile.Read(ref _connectFailures);

    /// <summary>Downstream connections closed because no endpoint was available (<c>UH</c>).</summary>
    public long NoHealthyUpstream => Volatile.Read(ref _noHealthyUpstream);

    internal void SessionOpened() => Interlocked.Increment(ref _connectionsOpened);

    internal void SessionClosed() => Interlocked.Increment(ref _connectionsClosed);

    internal void AddReceived(long bytes) => Interlocked.Add(ref _receivedBytes, bytes);

    internal void AddSent(long bytes) => Interlocked.Add(ref _sentBytes, bytes);

    internal void ConnectFailed() => Interlocked.Increment(ref _connectFailures);

    internal void NoEndpoint() => Interlocked.Increment(ref _noHealthyUpstream);
}
