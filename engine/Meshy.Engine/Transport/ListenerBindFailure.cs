using System.Net;
using System.Net.Sockets;

namespace Meshy.Engine.Transport;

/// <summary>One listener that could not be bound: which, where, and why.</summary>
/// <param name="Listener">The listener's name.</param>
/// <param name="EndPoint">The configured address.</param>
/// <param name="Error">The socket error, e.g. <see cref="SocketError.AddressAlreadyInUse"/>.</param>
/// <param name="Reason">The operating system's message.</param>
public sealed record ListenerBindFailure(string Listener, IPEndPoint EndPoint, SocketError Error, string Reason)
{
    /// <summary><c>listener 'web': cannot bind 0.0.0.0:8080: Address already in use</c>.</summary>
    public override string ToString() => $"listener '{Listener}': cannot bind {EndPoint}: {Reason}";
}
