using Meshy.Engine.Transport;

namespace Meshy.Engine.Upstream.Pools;

/// <summary>
/// An upstream connection owned by an <see cref="Http1ConnectionPool"/>: lent to one request at a time,
/// then given back (reusable or not). <see cref="Codec"/> carries the protocol state the HTTP/1 codec keeps
/// per connection (parser buffers), created on first use and reused with the connection.
/// </summary>
public sealed class Http1PooledConnection
{
    internal Http1PooledConnection(UpstreamConnection connection, Http1ConnectionPool pool)
    {
        Connection = connection;
        Pool = pool;
        _receiveReadiness = connection.ReceiveReadiness;
    }

    // Kept here: the idle check at reuse reads the count through this one reference, not through the connection,
    // its transport and its channel (four dependent cache misses on a connection idle long enough to go cold).
    private readonly ReadinessSignal? _receiveReadiness;

    /// <summary>The socket and its pipes.</summary>
    public UpstreamConnection Connection { get; }

    /// <summary>The pool it belongs to.</summary>
    public Http1ConnectionPool Pool { get; }

    /// <summary>The codec's per-connection state; disposed with the connection when it is <see cref="IDisposable"/>.</summary>
    public object? Codec { get; set; }

    /// <summary>Requests served on this connection so far.</summary>
    public long Requests { get; internal set; }

    /// <summary>When the connection went idle (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    internal long IdleSince { get; set; }

    /// <summary>The socket's receive-readiness count when the connection went idle, checked empty (-1: not counted).</summary>
    internal long ReceiveEventsWhenIdle { get; set; }

    /// <summary>The socket's receive-readiness count now (-1: not counted).</summary>
    internal long ReceiveEvents => _receiveReadiness?.Events ?? -1;

    /// <summary>Closes the connection and its codec state.</summary>
    internal void Close()
    {
        Connection.Dispose();
        (Codec as IDisposable)?.Dispose();
        Codec = null;
    }
}
