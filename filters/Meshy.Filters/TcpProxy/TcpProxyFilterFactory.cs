using Meshy.Conf.Compilation;
using Meshy.Conf.Schema;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream.CircuitBreaking;
using Meshy.Engine.Upstream.Pools;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.TcpProxy;

/// <summary>
/// Terminates <c>protocol = "tcp"</c> listeners: a <see cref="TcpProxyFilter"/> to the listener's
/// <c>cluster</c>, or with <c>original_destination = true</c> a <see cref="PassthroughFilter"/> to each
/// connection's original destination. Also builds the non-HTTP side of <c>auto</c> listeners. With
/// <paramref name="pools"/> and <paramref name="breakers"/>, sessions count against the cluster's
/// <c>limits.max_connections</c> together with its HTTP/1.1 connections.
/// </summary>
internal sealed class TcpProxyFilterFactory(
    UpstreamConnector connector,
    TcpProxyMetrics metrics,
    ILoggerFactory loggers,
    Http1PoolRegistry? pools = null,
    CircuitBreakerRegistry? breakers = null) : INetworkFilterFactory
{
    public ListenerProtocol Protocol => ListenerProtocol.Tcp;

    public INetworkFilter Create(ListenerConfig listener, CompilationContext context)
    {
        if (listener.OriginalDestination)
        {
            EnsureOriginalDestinationSupported(listener);
        }
        if (listener.Cluster is null)
        {
            // Validation allows no cluster only with original_destination = true.
            return new PassthroughFilter(connector, loggers.CreateLogger<PassthroughFilter>(), metrics);
        }
        // One TcpProxyMetrics for the process, so counts survive reloads; so do the connection count and breaker.
        TcpConnectionLimit? limit = null;
        if (pools is not null && breakers is not null)
        {
            int maxConnections = context.Config.Clusters.First(c => c.Name == listener.Cluster).Limits.MaxConnections;
            limit = new TcpConnectionLimit(pools.GetBudget(listener.Cluster), maxConnections, breakers.Get(listener.Cluster));
        }
        return new TcpProxyFilter(context.Clusters[listener.Cluster], connector, loggers.CreateLogger<TcpProxyFilter>(), metrics, limit: limit);
    }

    /// <summary>
    /// Refuses to start an <c>original_destination</c> listener where SO_ORIGINAL_DST does not exist:
    /// every connection would be closed, which is worse than a clear startup error.
    /// </summary>
    internal static void EnsureOriginalDestinationSupported(ListenerConfig listener)
    {
        if (!OriginalDestination.IsSupported)
        {
            throw new UnsupportedListenerException(
                listener.Name,
                $"original_destination (reads SO_ORIGINAL_DST, which only Linux has; this is {System.Runtime.InteropServices.RuntimeInformation.OSDescription})");
        }
    }
}
