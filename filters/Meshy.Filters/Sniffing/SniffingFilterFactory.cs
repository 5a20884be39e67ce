using Meshy.Conf.Compilation;
using Meshy.Conf.Schema;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Filters.HttpConnectionManager;
using Meshy.Filters.TcpProxy;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Sniffing;

/// <summary>
/// Terminates <c>protocol = "auto"</c> listeners with a <see cref="SniffingFilter"/> over the same two
/// terminal filters the other protocols use: the HTTP connection manager of the listener's <c>routes</c>,
/// and the TCP proxy to its <c>cluster</c> or, with <c>original_destination = true</c>, the passthrough.
/// </summary>
internal sealed class SniffingFilterFactory(
    HttpConnectionManagerFactory http,
    TcpProxyFilterFactory tcp,
    ILoggerFactory loggers) : INetworkFilterFactory
{
    public ListenerProtocol Protocol => ListenerProtocol.Auto;

    public INetworkFilter Create(ListenerConfig listener, CompilationContext context) =>
        new SniffingFilter(http.Create(listener, context), tcp.Create(listener, context), loggers.CreateLogger<SniffingFilter>(),
            listener.ProtocolDetectionTimeout, listener.RequestHeaderTimeout);
}
