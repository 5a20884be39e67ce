using Meshy.Conf.Compilation;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream.CircuitBreaking;
using Meshy.Engine.Upstream.Pools;
using Meshy.Filters.Fault;
using Meshy.Filters.HttpConnectionManager;
using Meshy.Filters.Mirror;
using Meshy.Filters.Observability;
using Meshy.Filters.Observability.Metrics;
using Meshy.Filters.Observability.Tracing;
using Meshy.Filters.Sniffing;
using Meshy.Filters.TcpProxy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters;

/// <summary>Registers every filter factory; one line per filter.</summary>
public static class FilterRegistration
{
    public static IServiceCollection AddMeshyFilters(this IServiceCollection services)
    {
        services.AddSingleton<TcpProxyMetrics>();
        services.AddSingleton<TcpProxyFilterFactory>();
        services.AddSingleton<INetworkFilterFactory>(static s => s.GetRequiredService<TcpProxyFilterFactory>());
        services.AddSingleton<HttpConnectionManagerFactory>();
        services.AddSingleton<INetworkFilterFactory>(static s => s.GetRequiredService<HttpConnectionManagerFactory>());
        services.AddSingleton<INetworkFilterFactory, SniffingFilterFactory>();
        services.AddSingleton<IHttpFilterFactory, TraceContextFilterFactory>();
        services.AddSingleton<IHttpFilterFactory, FaultFilterFactory>();
        services.AddSingleton(static _ => new ObservabilityMetrics());
        services.AddSingleton<ITelemetryCompiler>(static s => new ObservabilityCompiler(
            s.GetRequiredService<ObservabilityMetrics>(), s.GetRequiredService<ILoggerFactory>(), s.GetService<ConnectionTracker>(),
            breakers: s.GetService<CircuitBreakerRegistry>(),
            mirrors: s.GetRequiredService<MirrorRegistry>()));
        // The mirror's factory stays the last HTTP filter factory: a request another filter answered (an injected
        // abort) is not mirrored.
        services.AddSingleton(static s => new MirrorRegistry(s.GetRequiredService<UpstreamConnector>(), s.GetRequiredService<Http1PoolRegistry>(),
            s.GetRequiredService<ILoggerFactory>(), s.GetService<TimeProvider>()));
        services.AddSingleton<IHttpFilterFactory>(static s => new MirrorFilterFactory(s.GetRequiredService<MirrorRegistry>(), s.GetService<IRandomSource>()));
        return services;
    }
}
