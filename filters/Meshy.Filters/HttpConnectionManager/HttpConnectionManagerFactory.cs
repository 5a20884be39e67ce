using System.Collections.Frozen;
using Meshy.Conf.Compilation;
using Meshy.Conf.Schema;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream.CircuitBreaking;
using Meshy.Engine.Upstream.Pools;
using Meshy.Filters.Http1;
using Meshy.Filters.Router;
using Meshy.Filters.TcpProxy;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.HttpConnectionManager;

/// <summary>
/// Terminates <c>protocol = "http"</c> listeners with an <see cref="HttpConnectionManager"/> over the
/// listener's route tables (compiled once per snapshot, shared by listeners naming the same tables).
/// </summary>
internal sealed class HttpConnectionManagerFactory : INetworkFilterFactory
{
    private readonly RouterFilter _router;
    private readonly RouteTableCompiler _routes;
    private readonly SnapshotHolder? _holder;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;

    public HttpConnectionManagerFactory(
        UpstreamConnector connector,
        Http1PoolRegistry pools,
        TcpProxyMetrics tunnelMetrics,
        IEnumerable<IHttpFilterFactory> httpFilters,
        ILoggerFactory loggers,
        TimeProvider? time = null,
        SnapshotHolder? holder = null,
        CircuitBreakerRegistry? breakers = null)
    {
        _time = time ?? TimeProvider.System;
        _router = new RouterFilter(connector, pools, tunnelMetrics, loggers.CreateLogger<RouterFilter>(), _time);
        _routes = new RouteTableCompiler(httpFilters, loggers.CreateLogger<RouteTableCompiler>(), breakers);
        _holder = holder;
        _loggers = loggers;
    }

    public ListenerProtocol Protocol => ListenerProtocol.Http;

    public INetworkFilter Create(ListenerConfig listener, CompilationContext context)
    {
        FrozenDictionary<string, RouteTable> tables = _routes.GetTables(context);
        // Validation guarantees every name resolves.
        var hosts = new VirtualHostTable([.. listener.Routes.Select(name => tables[name])]);
        var settings = new HttpConnectionManagerSettings
        {
            Limits = new Http1Limits
            {
                MaxRequestLineLength = listener.MaxRequestLine,
                MaxHeaderSectionLength = listener.MaxHeaderBytes,
                MaxHeaderCount = listener.MaxHeaderCount,
            },
            RequestHeaderTimeout = listener.RequestHeaderTimeout,
            IdleTimeout = listener.IdleTimeout,
            Http2 = listener.Http2,
        };
        return new HttpConnectionManager(listener.Name, hosts, settings, _router, _holder, _loggers.CreateLogger<HttpConnectionManager>(), _time);
    }
}
