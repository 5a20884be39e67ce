using System.Net;

namespace Meshy.Engine.Runtime;

/// <summary>Compiled <c>[runtime]</c> and <c>[admin]</c> settings.</summary>
public sealed record RuntimeSettings
{
    /// <summary><c>admin.address</c>: where the admin endpoint listens. Default 127.0.0.1:15000.</summary>
    public IPEndPoint AdminEndPoint { get; init; } = new(IPAddress.Loopback, 15000);

    /// <summary><c>runtime.drain_timeout</c>: how long in-flight work may finish on shutdown or listener removal.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary><c>runtime.max_connections</c>: downstream connections over all proxy listeners; beyond it, accept and close.</summary>
    public int MaxConnections { get; init; } = 100_000;
}
