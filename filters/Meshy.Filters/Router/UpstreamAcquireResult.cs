using System.Net.Sockets;
using Meshy.Engine.Http;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream.Pools;

namespace Meshy.Filters.Router;

/// <summary>
/// What the router's acquire step produced, whatever the upstream protocol: a stream to send the try on
/// (an HTTP/1.1 connection's codec or an HTTP/2 stream), or why there is none.
/// </summary>
internal readonly struct UpstreamAcquireResult(Http1PoolStatus status, UpstreamStream? stream, ConnectFailure failure = ConnectFailure.None, SocketError socketError = SocketError.Success)
{
    /// <summary>What happened; <see cref="Http1PoolStatus.Reused"/> means the stream rides on a connection opened earlier.</summary>
    public Http1PoolStatus Status { get; } = status;

    /// <summary>The stream (<see cref="Http1PoolStatus.Reused"/> or <see cref="Http1PoolStatus.Connected"/>).</summary>
    public UpstreamStream? Stream { get; } = stream;

    /// <summary>Why the connect failed.</summary>
    public ConnectFailure Failure { get; } = failure;

    /// <summary>The socket error of a failed connect.</summary>
    public SocketError SocketError { get; } = socketError;
}
