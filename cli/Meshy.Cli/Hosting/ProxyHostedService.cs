using Meshy.Engine.Logging;
using System.Net;
using Meshy.Conf.Reload;
using Meshy.Engine.Admin;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Meshy.Cli.Hosting;

/// <summary>
/// Runs the proxy inside the generic host: first load, admin, listeners, reload triggers; and on
/// stop (SIGTERM, Ctrl-C) the drain of CONTRACT.md: refuse new connections, mark /ready 503, let
/// in-flight work finish up to <c>runtime.drain_timeout</c>, then cut what is left.
/// </summary>
internal sealed partial class ProxyHostedService(
    ConfigReloader reloader,
    InitialConfig initialConfig,
    SnapshotHolder holder,
    ListenerManager listeners,
    AdminServer admin,
    ProxyState state,
    ILoggerFactory loggers,
    ILogger<ProxyHostedService> logger) : IHostedService, IAsyncDisposable
{
    private ConfigWatcher? _watcher;
    private IDisposable? _sighup;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // SIGHUP first: from the moment anything is announced, a SIGHUP must reload, never kill.
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            _sighup = System.Runtime.InteropServices.PosixSignalRegistration.Create(
                System.Runtime.InteropServices.PosixSignal.SIGHUP,
                context =>
                {
                    context.Cancel = true;          // SIGHUP means reload, never exit
                    _ = ReloadFromSignalAsync();
                });
        }

        // The watcher too: an edit made right after startup is announced must not be missed.
        if (reloader.Path is not null)
        {
            _watcher = new ConfigWatcher(reloader, loggers.CreateLogger<ConfigWatcher>());
        }

        await reloader.LoadInitialAsync(initialConfig.Config, cancellationToken).ConfigureAwait(false);
        // The listeners are bound: ready before the admin endpoint opens, so its first /ready already says so.
        state.MarkReady();
        IPEndPoint adminEndPoint = holder.Current.Runtime.AdminEndPoint;
        admin.Start(adminEndPoint);
    }

    private async Task ReloadFromSignalAsync()
    {
        try
        {
            await reloader.ReloadAsync("SIGHUP", CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogSignalReloadFailed(ex);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        StopReloadTriggers();
        state.MarkDraining();
        TimeSpan drainTimeout = holder.Current.Runtime.DrainTimeout;
        LogDraining(drainTimeout);
        int cut = await listeners.DrainAllAsync(drainTimeout).ConfigureAwait(false);
        if (cut > 0)
        {
            LogCut(cut, drainTimeout);
        }
        else
        {
            LogDrained();
        }
    }

    // The admin server is a DI singleton: the container disposes it after this service.
    public ValueTask DisposeAsync()
    {
        StopReloadTriggers();
        return ValueTask.CompletedTask;
    }

    private void StopReloadTriggers()
    {
        Interlocked.Exchange(ref _sighup, null)?.Dispose();
        Interlocked.Exchange(ref _watcher, null)?.Dispose();
    }

    [LoggerMessage(EventId = EventIds.HostDraining, Level = LogLevel.Information, Message = "draining: listeners closed, in-flight work may finish within {Timeout}")]
    private partial void LogDraining(TimeSpan timeout);

    [LoggerMessage(EventId = EventIds.HostDrainCut, Level = LogLevel.Warning, Message = "drain timeout {Timeout} passed: cut {Count} connection(s) still in flight")]
    private partial void LogCut(int count, TimeSpan timeout);

    [LoggerMessage(EventId = EventIds.HostDrained, Level = LogLevel.Information, Message = "drained: every connection finished")]
    private partial void LogDrained();

    [LoggerMessage(EventId = EventIds.HostSignalReloadFailed, Level = LogLevel.Error, Message = "reload on SIGHUP failed")]
    private partial void LogSignalReloadFailed(Exception exception);
}
