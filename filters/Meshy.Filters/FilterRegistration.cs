using Meshy.Conf.Compilation;
using Meshy.Filters.HttpConnectionManager;
using Meshy.Filters.TcpProxy;
using Microsoft.Extensions.DependencyInjection;

namespace Meshy.Filters;

/// <summary>Registers every filter factory; one line per filter.</summary>
public static class FilterRegistration
{
    public static IServiceCollection AddMeshyFilters(this IServiceCollection services)
    {
        services.AddSingleton<TcpProxyMetrics>();
        services.AddSingleton<INetworkFilterFactory, TcpProxyFilterFactory>();
        services.AddSingleton<INetworkFilterFactory, HttpConnectionManagerFactory>();
        return services;
    }
}
