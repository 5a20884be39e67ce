using System.Net;
using Meshy.Engine.Pipeline;

namespace Meshy.Filters.Tests.Routing;

/// <summary>
/// Test stand-in for iptables: runs <paramref name="inner"/> on a copy of each connection whose
/// <see cref="ConnectionContext.OriginalDestination"/> is <paramref name="destination"/>, as if the client had
/// dialled it and been redirected (reading SO_ORIGINAL_DST needs root and a NAT rule).
/// </summary>
internal sealed class OriginalDestinationInjector(IPEndPoint destination, INetworkFilter inner) : INetworkFilter
{
    public ValueTask<FilterStatus> OnConnectionAsync(ConnectionContext connection) => inner.OnConnectionAsync(new ConnectionContext
    {
        Id = connection.Id,
        Snapshot = connection.Snapshot,
        Listener = connection.Listener,
        Transport = connection.Transport,
        Sender = connection.Sender,
        Socket = connection.Socket,
        RemoteEndPoint = connection.RemoteEndPoint,
        LocalEndPoint = connection.LocalEndPoint,
        OriginalDestination = destination,
        Draining = connection.Draining,
        Closing = connection.Closing,
    });
}
