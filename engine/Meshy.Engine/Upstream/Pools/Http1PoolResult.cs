using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using Meshy.Engine.Transport;

namespace Meshy.Engine.Upstream.Pools;

/// <summary>A pooled connection, or why there is none.</summary>
public readonly struct Http1PoolResult(Http1PoolStatus status, Http1PooledConnection? connection, ConnectFailure failure = ConnectFailure.None, SocketError socketError = SocketError.Success)
{
    /// <summary>What happened.</summary>
    public Http1PoolStatus Status { get; } = status;

    /// <summary>The connection (<see cref="Http1PoolStatus.Reused"/> or <see cref="Http1PoolStatus.Connected"/>); give it back with <see cref="Http1ConnectionPool.Release"/>.</summary>
    public Http1PooledConnection? Connection { get; } = connection;

    /// <summary>Why the connect failed.</summary>
    public ConnectFailure Failure { get; } = failure;

    /// <summary>The socket error of a failed connect.</summary>
    public SocketError SocketError { get; } = socketError;

    /// <summary>True when <see cref="Connection"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Connection))]
    public bool Succeeded => Connection is not null;
}
