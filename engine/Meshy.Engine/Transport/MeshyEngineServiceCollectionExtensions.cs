using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.CircuitBreaking;
using Meshy.Engine.Upstream.Health;
using Meshy.Engine.Upstream.Pools;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the engine's process-wide services.</summary>
public static class MeshyEngineServiceCollectionExtensions
{
    /// <summary>
    /// Adds the transport and upstream singletons: <see cref="PipeOptionsFactory"/>,
    /// <see cref="ConnectionTracker"/>, <see cref="ListenerManager"/>, <see cref="UpstreamConnector"/>,
    /// <see cref="EndpointRegistry"/>, <see cref="Http1PoolRegistry"/>, <see cref="CircuitBreakerRegistry"/>,
    /// <see cref="ClusterHealthRegistry"/>, <see cref="HealthMonitor"/> (the host runs it as a hosted service),
    /// <see cref="TimeProvider"/> (<see cref="TurnTimeProvider"/>) and <see cref="IRandomSource"/>. Expects a <c>SnapshotHolder</c> and logging.
    /// </summary>
    public static IServiceCollection AddMeshyEngine(this IServiceCollection services)
    {
        services.TryAddSingleton<TimeProvider>(TurnTimeProvider.Instance);
        services.TryAddSingleton<IRandomSource>(SharedRandomSource.Instance);
        services.TryAddSingleton(PipeOptionsFactory.Default);
        services.TryAddSingleton<ConnectionTracker>();
        services.TryAddSingleton<EndpointRegistry>();
        services.TryAddSingleton<UpstreamConnector>();
        services.TryAddSingleton(services => new Http1PoolRegistry(services.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<CircuitBreakerRegistry>();
        services.TryAddSingleton<ListenerManager>();
        services.TryAddSingleton(services => new ClusterHealthRegistry(
            services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>(), services.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<HealthMonitor>();
        return services;
    }
}
