using Meshy.Conf.Compilation;
using Meshy.Conf.Reload;
using Meshy.Conf.Schema;
using Meshy.Engine.Admin;
using Meshy.Engine.Runtime;
using Meshy.Filters;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Meshy.Cli.Hosting;

/// <summary>Wires the proxy into a generic host: logging, engine, filters, config and admin.</summary>
internal static class MeshyHost
{
    public static IHost Build(string? configPath, MeshyConfig? initialConfig, LogLevel logLevel)
    {
        // DisableDefaults: no appsettings.json or environment configuration; the TOML file is the only config.
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(logLevel);
        builder.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            options.IncludeScopes = false;
        });
        // Logs go to stderr: stdout is for the access log and for command output.
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        // The drain is bounded by runtime.drain_timeout in ProxyHostedService; the host must not cut it short.
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromHours(1));

        builder.Services.AddSingleton(new SnapshotHolder(ProxySnapshot.Empty("(embedded default)", new RuntimeSettings())));
        builder.Services.AddMeshyEngine();
        builder.Services.AddMeshyFilters();
        builder.Services.AddSingleton<SnapshotCompiler>();
        builder.Services.AddSingleton(services => new ConfigReloader(
            configPath,
            services.GetRequiredService<SnapshotCompiler>(),
            services.GetRequiredService<SnapshotHolder>(),
            services.GetRequiredService<Meshy.Engine.Transport.ListenerManager>(),
            services.GetRequiredService<Meshy.Engine.Upstream.EndpointRegistry>(),
            services.GetRequiredService<ILogger<ConfigReloader>>()));
        builder.Services.AddSingleton(new InitialConfig(initialConfig));
        builder.Services.AddSingleton<ProxyState>();
        builder.Services.AddSingleton(services => new AdminServer(
            AdminEndpoints.Create(
                services.GetRequiredService<SnapshotHolder>(),
                services.GetRequiredService<ConfigReloader>(),
                services.GetRequiredService<ProxyState>(),
                services.GetRequiredService<Meshy.Engine.Transport.ConnectionTracker>(),
                services.GetRequiredService<Meshy.Engine.Upstream.CircuitBreaking.CircuitBreakerRegistry>()),
            services.GetRequiredService<ILogger<AdminServer>>()));
        builder.Services.AddHostedService<ProxyHostedService>();
        // After the proxy: it starts on the snapshot the first load published, then follows every reload.
        builder.Services.AddHostedService(static services => services.GetRequiredService<Meshy.Engine.Upstream.Health.HealthMonitor>());
        return builder.Build();
    }
}
