using System.Net;
using System.Text.Json;
using Meshy.Cli.Hosting;
using Meshy.Conf.Loading;
using Meshy.Engine.Admin;
using Meshy.Engine.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Meshy.Cli.Demo;

/// <summary>
/// Everything the demo runs: four backends (v1, v2, v3 and the mirror target), the demo config file
/// and the proxy, in-process in the same host <c>meshy run</c> builds, so reload, admin and metrics
/// behave exactly as in production. <see cref="ApplyAsync"/> edits the file and waits until the proxy
/// has loaded it.
/// </summary>
internal sealed class DemoSession : IAsyncDisposable
{
    /// <summary>How long the file watcher gets to notice an edit before the demo asks admin to reload.</summary>
    private static readonly TimeSpan WatcherGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ReloadTimeout = TimeSpan.FromSeconds(15);

    private readonly HttpClient _admin;
    private string _loadedAt = "";

    private DemoSession(DemoBackend[] backends, string configPath, DemoConfig baseConfig, IHost host, IPEndPoint proxy, IPEndPoint admin)
    {
        V1 = backends[0];
        V2 = backends[1];
        V3 = backends[2];
        Shadow = backends[3];
        ConfigPath = configPath;
        Base = baseConfig;
        Host = host;
        Proxy = proxy;
        Admin = admin;
        _admin = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://{admin}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public DemoBackend V1 { get; }

    public DemoBackend V2 { get; }

    public DemoBackend V3 { get; }

    /// <summary>The mirror target (cluster <c>shadow</c>).</summary>
    public DemoBackend Shadow { get; }

    public IReadOnlyList<DemoBackend> Versions => [V1, V2, V3];

    /// <summary>The live config file the proxy watches.</summary>
    public string ConfigPath { get; }

    /// <summary>The config every step starts from and returns to.</summary>
    public DemoConfig Base { get; }

    public IHost Host { get; }

    /// <summary>The proxy's HTTP listener (the real port when 0 was asked for).</summary>
    public IPEndPoint Proxy { get; }

    public IPEndPoint Admin { get; }

    /// <summary>
    /// Starts the backends, writes the base config to <paramref name="configPath"/> and starts the proxy on it.
    /// Throws <see cref="DemoStartException"/> when the proxy cannot start (a port taken).
    /// </summary>
    public static async Task<DemoSession> StartAsync(int port, int adminPort, string configPath, LogLevel logLevel, CancellationToken cancellationToken)
    {
        DemoBackend[] backends = [DemoBackend.Start("v1"), DemoBackend.Start("v2"), DemoBackend.Start("v3"), DemoBackend.Start("shadow")];
        IHost? host = null;
        try
        {
            var baseConfig = new DemoConfig
            {
                ListenAddress = $"127.0.0.1:{port}",
                AdminAddress = $"127.0.0.1:{adminPort}",
                BackendAddresses = [.. backends.Select(b => b.EndPoint.ToString())],
            };
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(configPath))!);
            WriteFile(configPath, baseConfig.Render());
            ConfigLoadResult loaded = ConfigLoader.LoadFile(configPath);
            if (!loaded.Success)
            {
                throw new DemoStartException(string.Join('\n', loaded.Diagnostics.Select(d => d.ToString())));
            }
            host = MeshyHost.Build(configPath, loaded.Config, logLevel);
            try
            {
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ListenerBindException)
            {
                throw new DemoStartException($"cannot bind: {ex.Message} (choose other ports with --port and --admin-port)");
            }
            IPEndPoint proxy = host.Services.GetRequiredService<ListenerManager>().Listening["demo"];
            IPEndPoint admin = host.Services.GetRequiredService<AdminServer>().EndPoint!;
            var session = new DemoSession(backends, configPath, baseConfig, host, proxy, admin);
            session._loadedAt = await session.LoadedAtAsync(cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch
        {
            if (host is not null)
            {
                await StopHostAsync(host).ConfigureAwait(false);
            }
            foreach (DemoBackend backend in backends)
            {
                await backend.DisposeAsync().ConfigureAwait(false);
            }
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="config"/> over the live file and waits until the proxy serves it: admin
    /// <c>/config</c> shows a new <c>loaded_at</c>. The file watcher normally reloads within a second;
    /// where it sees nothing (some container file systems) the demo asks <c>POST /reload</c> itself.
    /// </summary>
    public async Task ApplyAsync(DemoConfig config, DemoProgress progress, CancellationToken cancellationToken)
    {
        progress.Note("editing the config file, waiting for the hot reload");
        string before = _loadedAt;
        WriteFile(ConfigPath, config.Render());
        if (!await WaitForReloadAsync(before, WatcherGrace, cancellationToken).ConfigureAwait(false))
        {
            progress.Warn($"no reload {WatcherGrace.TotalSeconds:0} s after the edit (is the file watcher blind here?): asking POST /reload");
            using HttpResponseMessage response = await _admin.PostAsync("reload", content: null, cancellationToken).ConfigureAwait(false);
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"the proxy rejected the demo config: {body.Trim()}");
            }
            if (!await WaitForReloadAsync(before, ReloadTimeout, cancellationToken).ConfigureAwait(false))
            {
                throw new TimeoutException($"the proxy did not reload {ConfigPath} within {ReloadTimeout.TotalSeconds:0} s");
            }
        }
    }

    private async Task<bool> WaitForReloadAsync(string before, TimeSpan timeout, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            string loadedAt = await LoadedAtAsync(cancellationToken).ConfigureAwait(false);
            if (loadedAt != before)
            {
                _loadedAt = loadedAt;
                return true;
            }
            await Task.Delay(25, cancellationToken).ConfigureAwait(false);
        }
        return false;
    }

    private async Task<string> LoadedAtAsync(CancellationToken cancellationToken)
    {
        string json = await _admin.GetStringAsync("config", cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("loaded_at").GetString() ?? "";
    }

    /// <summary>Replaces the file as editors do (write a sibling, rename over), so the proxy never reads half a file.</summary>
    private static void WriteFile(string path, string text)
    {
        string next = path + ".next";
        File.WriteAllText(next, text);
        File.Move(next, path, overwrite: true);
    }

    private static async Task StopHostAsync(IHost host)
    {
        try
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            host.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await StopHostAsync(Host).ConfigureAwait(false);
        foreach (DemoBackend backend in (DemoBackend[])[V1, V2, V3, Shadow])
        {
            await backend.DisposeAsync().ConfigureAwait(false);
        }
    }
}
