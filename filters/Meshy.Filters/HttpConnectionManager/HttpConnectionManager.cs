using System.Runtime.CompilerServices;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Filters.Router;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.HttpConnectionManager;

/// <summary>
/// The terminal network filter of <c>protocol = "http"</c> listeners: serves HTTP/1.1 on the connection
/// (an <see cref="Http1ServerConnection"/> per connection), routing each request through the listener's
/// route tables to the router. Compiled once per listener per snapshot and shared by its connections.
/// TODO: sniff the HTTP/2 connection preface here and hand the connection to the HTTP/2 codec (#4).
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
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<FilterStatus> OnConnectionAsync(ConnectionContext connection)
    {
        using var server = new Http1ServerConnection(this, connection);
        await server.RunAsync().ConfigureAwait(false);
        return FilterStatus.Stop;
    }
}
