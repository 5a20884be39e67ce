using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;

namespace Meshy.Engine.Transport;

/// <summary>The outcome of <see cref="UpstreamConnector.ConnectAsync"/>: a connection, or why there is none.</summary>
public readonly struct UpstreamConnectResult
{
    private UpstreamConnectResult(UpstreamConnection? connection, ConnectFailure failure, SocketError socketError)
    {
        Connection = connection;
        Failure = failure;
        SocketError = socketError;
    }

    /// <summary>The connection; the caller owns and disposes it. Null when <see cref="Failure"/> is set.</summary>
    public UpstreamConnection? Connection { get; }

    /// <summary><see cref="ConnectFailure.None"/> when connected.</summary>
    public ConnectFailure Failure { get; }

    /// <summary>The socket's error for <see cref="ConnectFailure.Refused"/> and <see cref="ConnectFailure.Failed"/>.</summary>
    public SocketError SocketError { get; }

    /// <summary>True when <see cref="Connection"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Connection))]
    public bool Succeeded => Connection is not null;

    internal static UpstreamConnectResult Connected(UpstreamConnection connection) => new(connection, ConnectFailure.None, SocketError.Success);

    internal static UpstreamConnectResult Failed(ConnectFailure failure, SocketError socketError) => new(null, failure, socketError);
}
