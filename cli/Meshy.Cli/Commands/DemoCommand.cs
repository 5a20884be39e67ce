using System.CommandLine;
using Meshy.Cli.Demo;
using Microsoft.Extensions.Logging;

namespace Meshy.Cli.Commands;

/// <summary>
/// <c>meshy demo [--port 8080] [--admin-port 15000] [--short] [--no-serve] [--config-out FILE]</c>: the
/// newcomer tour (<see cref="DemoRunner"/>). Exit 0 when every step behaved as configured, 1 when one
/// did not or the proxy could not start, 2 for usage errors.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var port = PortOption("--port", 8080, "the proxy's HTTP port on 127.0.0.1 (0: any free port)");
        var adminPort = PortOption("--admin-port", 15000, "the admin port on 127.0.0.1 (0: any free port)");
        var isShort = new Option<bool>("--short") { Description = "fewer requests per step (a quicker tour)" };
        var noServe = new Option<bool>("--no-serve") { Description = "exit after the tour instead of serving until Ctrl-C" };
        var configOut = new Option<string?>("--config-out") { Description = "where to write the live demo config (default: a new temp folder)" };
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "the proxy's log level on stderr (default Warning)",
            DefaultValueFactory = _ => LogLevel.Warning,
        };
        var command = new Command("demo", "A guided tour: three demo backends behind Meshy, driven through routing, fault injection, mirroring and circuit breaking.")
        {
            port, adminPort, isShort, noServe, configOut, logLevel,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var options = new DemoOptions
            {
                Port = parsed.GetValue(port),
                AdminPort = parsed.GetValue(adminPort),
                Short = parsed.GetValue(isShort),
                Serve = !parsed.GetValue(noServe),
                ConfigOut = parsed.GetValue(configOut),
                LogLevel = parsed.GetValue(logLevel),
                Interactive = !Console.IsOutputRedirected,
            };
            DemoRun run = await DemoRunner.RunAsync(options, Console.Out, Console.Error, cancellationToken).ConfigureAwait(false);
            return run.ExitCode;
        });
        return command;
    }

    private static Option<int> PortOption(string name, int fallback, string description)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => fallback };
        option.Validators.Add(result =>
        {
            int value = result.GetValueOrDefault<int>();
            if (value is < 0 or > 65535)
            {
                result.AddError($"{name}: a port from 0 to 65535 (got {value})");
            }
        });
        return option;
    }
}
