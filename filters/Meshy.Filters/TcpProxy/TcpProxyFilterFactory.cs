using Meshy.Conf.Compilation;
using Meshy.Conf.Schema;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.TcpProxy;

/// <summary>Terminates <c>protocol = "tcp"</c> listeners with a <see cref="TcpProxyFilter"/> to the listener's <c>cluster</c>.</summary>
internal sealed class TcpProxyFilterFactory(UpstreamConnector connector, TcpProxyMetrics metrics, ILoggerFactory loggers) : INetworkFilterFactory
{
    public ListenerProtocol Protocol => ListenerProtocol.Tcp;

    public INetworkFilter Create(ListenerConfig listener, CompilationContext context)
    {
        // TODO: proxy to the socket's original destination (#8).
        if (listener.Cluster is null)
        {
            throw new UnsupportedListenerException(listener.Name, "original_destination without a cluster");
        }
        // One TcpProxyMetrics for the process, so counts survive reloads.
        return new TcpProxyFilter(context.Clusters[listener.Cluster], connector, loggers.CreateLogger<TcpProxyFilter>(), metrics);
    }
}
