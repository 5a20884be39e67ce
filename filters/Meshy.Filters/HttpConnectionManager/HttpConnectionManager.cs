using System.Runtime.CompilerServices;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Tasks;
using Meshy.Filters.Router;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.HttpConnectionManager;

/// <summary>
/// The terminal network filter of <c>protocol = "http"</c> listeners (and of <c>auto</c> listeners'
/// HTTP side): a connection that opens with the HTTP/2 connection preface is served as HTTP/2 with prior
/// knowledge (an <see cref="Http2ServerConnection"/>), any other as HTTP/1.1 (an
/// <see cref="Http1ServerConnection"/>); both route each request through the listener's route tables to
/// the router. Compiled once per listener per snapshot and shared by its connections.
/// </summary>
internal sealed partial class HttpConnectionManager(
    string listenerName,
    VirtualHostTable hosts,
    HttpConnectionManagerSettings settings,
    RouterFilter router,
    SnapshotHolder? holder,
    ILogger logger,
    TimeProvider time) : INetworkFilter
{
    /// <summary>The listener's name.</summary>
    public string ListenerName => listenerName;

    /// <summary>The route tables of the listener, by host.</summary>
    public VirtualHostTable Hosts => hosts;

    /// <summary>Limits and timeouts.</summary>
    public HttpConnectionManagerSettings Settings => settings;

    /// <summary>The router requests are forwarded by.</summary>
    public RouterFilter Router => router;

    /// <summary>Where each request reads the current snapshot; null: requests use their connection's snapshot.</summary>
    public SnapshotHolder? Holder => holder;

    internal ILogger Logger => logger;

    internal TimeProvider Time => time;

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public async ValueTask<FilterStatus> OnConnectionAsync(ConnectionContext connection)
    {
        switch (await Http2PrefaceDetector.DetectAsync(connection.Transport.Input, connection.Draining, settings, time).ConfigureAwait(false))
        {
            case Http2PrefaceDetector.Result.Http2:
            {
                using var http2 = new Http2ServerConnection(this, connection);
                await http2.RunAsync().ConfigureAwait(false);
                break;
            }
            case Http2PrefaceDetector.Result.Http1:
            {
                using var http1 = new Http1ServerConnection(this, connection);
                await http1.RunAsync().ConfigureAwait(false);
                break;
            }
        }
        return FilterStatus.Stop;
    }

    /// <summary>
    /// This listener's manager in <paramref name="snapshot"/> (a reload compiles a new one); null when the
    /// listener is gone from it (it drains on the snapshot it was accepted on).
    /// </summary>
    public HttpConnectionManager? FindIn(ProxySnapshot snapshot)
    {
        foreach (ListenerSnapshot listener in snapshot.Listeners)
        {
            if (listener.Name != listenerName || listener.NetworkFilters.IsEmpty)
            {
                continue;
            }
            // An auto listener's terminal filter is the sniffer, with the HTTP side behind it.
            return listener.NetworkFilters[^1] switch
            {
                HttpConnectionManager manager => manager,
                Sniffing.SniffingFilter { Http: HttpConnectionManager manager } => manager,
                _ => null,
            };
        }
        return null;
    }
}
