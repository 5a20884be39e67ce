using Meshy.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace Meshy.Conf.Reload;

/// <summary>
/// Watches the config file and reloads after it settles. Editors save in bursts (truncate, write,
/// rename over), so changes are debounced: the reload runs once the file has been quiet for
/// <see cref="Debounce"/>. The directory is watched, not the file, so a rename-over is seen too.
/// </summary>
public sealed partial class ConfigWatcher : IDisposable
{
    /// <summary>How long the file must be quiet before a reload.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);

    private readonly ConfigReloader _reloader;
    private readonly ILogger _logger;
    private readonly FileSystemWatcher _watcher;
    private readonly Timer _timer;
    private readonly CancellationTokenSource _disposed = new();
    private int _disposeCount;

    public ConfigWatcher(ConfigReloader reloader, ILogger<ConfigWatcher> logger)
    {
        _reloader = reloader;
        _logger = logger;
        string fullPath = System.IO.Path.GetFullPath(reloader.Path ?? throw new ArgumentException("nothing to watch: no config file"));
        _timer = new Timer(_ => _ = ReloadAsync(), null, Timeout.Infinite, Timeout.Infinite);
        _watcher = new FileSystemWatcher(System.IO.Path.GetDirectoryName(fullPath)!, System.IO.Path.GetFileName(fullPath))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += OnChanged;
        _watcher.Created += OnChanged;
        _watcher.Renamed += OnChanged;
        _watcher.EnableRaisingEvents = true;
    }

    private void OnChanged(object sender, FileSystemEventArgs e) => _timer.Change(Debounce, Timeout.InfiniteTimeSpan);

    private async Task ReloadAsync()
    {
        try
        {
            await _reloader.ReloadAsync("file changed", _disposed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogWatchReloadFailed(ex);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposeCount, 1) != 0)
        {
            return;
        }
        _disposed.Cancel();
        _watcher.Dispose();
        _timer.Dispose();
        _disposed.Dispose();
    }

    [LoggerMessage(EventId = EventIds.ConfigWatchReloadFailed, Level = LogLevel.Error, Message = "reload after a file change failed")]
    private partial void LogWatchReloadFailed(Exception exception);
}
