namespace Meshy.Engine.Pipeline;

/// <summary>
/// A per-connection filter. Compiled once per snapshot and shared by every connection on it, so
/// per-connection state lives in <see cref="ConnectionContext"/>, never in fields.
/// </summary>
public interface INetworkFilter
{
    /// <summary>
    /// Called once per accepted connection, in chain order. A terminal filter (TCP proxy, HTTP
    /// connection manager) serves the whole connection before returning <see cref="FilterStatus.Stop"/>.
    /// </summary>
    ValueTask<FilterStatus> OnConnectionAsync(ConnectionContext connection);
}
