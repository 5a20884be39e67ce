using System.CommandLine;
using System.Net.Sockets;
using Meshy.Cli.Hosting;
using Meshy.Conf.Compilation;
using Meshy.Conf.Loading;
using Meshy.Conf.Schema;
using Meshy.Engine.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Meshy.Cli.Commands;

/// <summary><c>meshy run [--config FILE] [--log-level LEVEL]</c>: runs the proxy until SIGTERM or Ctrl-C.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c")
        {
            Description = "config file (else $MESHY_CONFIG, else conf/meshy.toml, else the embedded default)",
        };
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "least severe level logged: Trace, Debug, Information, Warning, Error, Critical",
            DefaultValueFactory = _ => LogLevel.Information,
        };
        var command = new Command("run", "Run the proxy. SIGTERM or Ctrl-C drains, SIGHUP reloads.") { config, logLevel };
        command.SetAction((parsed, cancellationToken) => RunAsync(parsed.GetValue(config), parsed.GetValue(logLevel)));
        return command;
    }

    private static async Task<int> RunAsync(string? configOption, LogLevel logLevel)
    {
        string? path = ConfigPathResolver.Resolve(configOption);
        MeshyConfig? initial = null;
        if (path is not null)
        {
            // The first load is checked before anything starts, so its errors are bare lines and exit 1.
            ConfigLoadResult loaded = ConfigLoader.LoadFile(path);
            if (!loaded.Success)
            {
                foreach (ConfigDiagnostic diagnostic in loaded.Diagnostics)
                {
                    await Console.Error.WriteLineAsync(diagnostic.ToString());
                }
                return ExitCodes.Failed;
            }
            initial = loaded.Config;
        }
        using IHost host = MeshyHost.Build(path, initial, logLevel);
        try
        {
            await host.RunAsync().ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (SocketException ex)
        {
            await Console.Error.WriteLineAsync($"meshy: cannot bind: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (ListenerBindException ex)
        {
            await Console.Error.WriteLineAsync($"meshy: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (UnsupportedListenerException ex)
        {
            await Console.Error.WriteLineAsync($"meshy: {ex.Message}");
            return ExitCodes.Failed;
        }
    }
}
