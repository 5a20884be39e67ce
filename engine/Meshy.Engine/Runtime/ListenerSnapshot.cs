using System.Collections.Immutable;
using System.Net;
using Meshy.Engine.Pipeline;

namespace Meshy.Engine.Runtime;

/// <summary>What a listener speaks; <c>listeners[].protocol</c>.</summary>
public enum ListenerProtocol
{
    /// <summary>HTTP/1.1 and HTTP/2 (prior knowledge) on one port.</summary>
    Http,
    /// <summary>L4 byte proxy to one cluster.</summary>
    Tcp,
    /// <summary>Sniff the first bytes: HTTP through the routes, anything else TCP.</summary>
    Auto,
}

/// <summary>One compiled <c>[[listeners]]</c> entry with its network filter chain.</summary>
public sealed class ListenerSnapshot
{
    /// <summary><c>name</c>: unique across listeners; the identity kept across reloads.</summary>
    public required string Name { get; init; }

    /// <summary><c>address</c>: where to bind.</summary>
    public required IPEndPoint EndPoint { get; init; }

    /// <summary><c>protocol</c>.</summary>
    public required ListenerProtocol Protocol { get; init; }

    /// <summary><c>original_destination</c>: the upstream is the socket's original destination.</summary>
    public bool OriginalDestination { get; init; }

    /// <summary>
    /// The network filters run in order for each accepted connection; the last one is terminal
    /// (a TCP proxy or an HTTP connection manager) and owns the connection until it ends.
    /// </summary>
    public required ImmutableArray<INetworkFilter> NetworkFilters { get; init; }

    /// <summary>True when a reload can keep this listener's socket (same address and protocol).</summary>
    public bool CanReuseSocketOf(ListenerSnapshot other) =>
        other.Name == Name && other.EndPoint.Equals(EndPoint) && other.OriginalDestination == OriginalDestination;
}
