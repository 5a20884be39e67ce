using Meshy.Engine.Logging;
using Meshy.Conf.Compilation;
using Meshy.Conf.Loading;
using Meshy.Conf.Schema;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Microsoft.Extensions.Logging;

namespace Meshy.Conf.Reload;

/// <summary>
/// Loads the config file into a new snapshot and puts it in service: the first load at startup and
/// every reload after it (file change, SIGHUP, <c>POST /reload</c>). A file with errors changes
/// nothing: every diagnostic is logged and the running snapshot keeps serving.
/// </summary>
public sealed partial class ConfigReloader(
    string? path,
    SnapshotCompiler compiler,
    SnapshotHolder holder,
    ListenerManager listeners,
    EndpointRegistry endpoints,
    ILogger<ConfigReloader> logger)
{
    // One load at a time: a file change and a SIGHUP arriving together must not interleave.
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The config path as given, or null when running on the embedded default.</summary>
    public string? Path => path;

    /// <summary>
    /// Puts the first configuration in service: <paramref name="initial"/> was loaded and validated
    /// by <c>meshy run</c> (which prints its errors and exits 1 when it has any), or is null for
    /// the embedded default. Binding failures surface as exceptions.
    /// </summary>
    public async Task<ReloadOutcome> LoadInitialAsync(MeshyConfig? initial, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (initial is null || path is null)
            {
                LogEmbeddedDefault(ConfigPathsForLog);
                await listeners.ApplyAsync(holder.Current, cancellationToken).ConfigureAwait(false);
                return new ReloadOutcome(true, [], "embedded default: admin only, no listeners");
            }
            ProxySnapshot snapshot = compiler.Compile(initial, path);
            holder.Publish(snapshot);
            await listeners.ApplyAsync(snapshot, cancellationToken).ConfigureAwait(false);
            string summary = SnapshotSummary.Describe(snapshot);
            LogLoaded(path, summary);
            return new ReloadOutcome(true, [], summary);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reloads the file; <paramref name="trigger"/> names the cause for the log.</summary>
    public async Task<ReloadOutcome> ReloadAsync(string trigger, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (path is null)
            {
                LogNothingToReload(trigger);
                return new ReloadOutcome(true, [], "no config file: nothing to reload");
            }
            (ProxySnapshot? snapshot, ReloadOutcome outcome) = Build();
            if (snapshot is null)
            {
                ReloadMetrics.Failure.Inc();
                LogReloadRejected(trigger, path, outcome.Errors.Length);
                return outcome;
            }
            // Publish first so listeners started by ApplyAsync find themselves in the current snapshot.
            holder.Publish(snapshot);
            try
            {
                await listeners.ApplyAsync(snapshot, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ReloadMetrics.Failure.Inc();
                LogApplyFailed(trigger, ex.Message);
                return ReloadOutcome.Failed([ex.Message]);
            }
            // Endpoints gone from the file lose their state; connections still using them hold their own reference.
            endpoints.Prune(snapshot);
            ReloadMetrics.Success.Inc();
            LogReloaded(trigger, path, outcome.Summary);
            return outcome;
        }
        finally
        {
            _gate.Release();
        }
    }

    private (ProxySnapshot? Snapshot, ReloadOutcome Outcome) Build()
    {
        ConfigLoadResult loaded = ConfigLoader.LoadFile(path!);
        if (!loaded.Success)
        {
            foreach (ConfigDiagnostic diagnostic in loaded.Diagnostics)
            {
                LogDiagnostic(diagnostic.ToString());
            }
            return (null, ReloadOutcome.Failed(loaded.Diagnostics.Select(d => d.ToString())));
        }
        try
        {
            ProxySnapshot snapshot = compiler.Compile(loaded.Config!, path!);
            return (snapshot, new ReloadOutcome(true, [], SnapshotSummary.Describe(snapshot)));
        }
        catch (UnsupportedListenerException unsupported)
        {
            LogDiagnostic(unsupported.Message);
            return (null, ReloadOutcome.Failed([unsupported.Message]));
        }
    }

    private static string ConfigPathsForLog =>
        $"no --config, no ${"MESHY_CONFIG"}, no conf/meshy.toml in {Environment.CurrentDirectory}";

    [LoggerMessage(EventId = EventIds.ConfigLoaded, Level = LogLevel.Information, Message = "loaded {Path}: {Summary}")]
    private partial void LogLoaded(string path, string summary);

    [LoggerMessage(EventId = EventIds.ConfigEmbeddedDefault, Level = LogLevel.Warning, Message = "{Where}: running the embedded default (admin only, no listeners)")]
    private partial void LogEmbeddedDefault(string where);

    [LoggerMessage(EventId = EventIds.ConfigReloaded, Level = LogLevel.Information, Message = "reloaded {Path} ({Trigger}): {Summary}")]
    private partial void LogReloaded(string trigger, string path, string summary);

    [LoggerMessage(EventId = EventIds.ConfigReloadRejected, Level = LogLevel.Error, Message = "reload ({Trigger}) rejected: {Path} has {Count} error(s); the previous configuration keeps serving")]
    private partial void LogReloadRejected(string trigger, string path, int count);

    [LoggerMessage(EventId = EventIds.ConfigDiagnostic, Level = LogLevel.Error, Message = "{Diagnostic}")]
    private partial void LogDiagnostic(string diagnostic);

    [LoggerMessage(EventId = EventIds.ConfigApplyFailed, Level = LogLevel.Error, Message = "reload ({Trigger}) could not apply listeners: {Reason}")]
    private partial void LogApplyFailed(string trigger, string reason);

    [LoggerMessage(EventId = EventIds.ConfigNothingToReload, Level = LogLevel.Information, Message = "reload ({Trigger}): no config file, nothing to reload")]
    private partial void LogNothingToReload(string trigger);
}
