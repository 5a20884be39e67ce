using System.CommandLine;
using Meshy.Conf.Compilation;
using Meshy.Conf.Loading;
using Meshy.Engine.Runtime;
using Meshy.Engine.Upstream;

namespace Meshy.Cli.Commands;

/// <summary>
/// <c>meshy validate --config FILE</c>: loads, validates and compiles without binding anything.
/// Good: one summary line on stdout, exit 0. Bad: every error as <c>FILE:LINE:COL: key.path: message</c> on stderr, exit 1.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c")
        {
            Description = "config file to check (else $MESHY_CONFIG, else conf/meshy.toml)",
        };
        var command = new Command("validate", "Check a config file without running anything.") { config };
        command.SetAction(parsed => Validate(parsed.GetValue(config)));
        return command;
    }

    private static int Validate(string? configOption)
    {
        string? path = ConfigPathResolver.Resolve(configOption);
        if (path is null)
        {
            Console.Error.WriteLine("meshy: no config to validate: give --config FILE (or set $MESHY_CONFIG)");
            return ExitCodes.Usage;
        }
        ConfigLoadResult loaded = ConfigLoader.LoadFile(path);
        if (!loaded.Success)
        {
            foreach (ConfigDiagnostic diagnostic in loaded.Diagnostics)
            {
                Console.Error.WriteLine(diagnostic.ToString());
            }
            return ExitCodes.Failed;
        }
        // Compiling proves the file builds a snapshot; listeners get no filter chain, nothing is bound.
        var compiler = new SnapshotCompiler(new EndpointRegistry(), networkFactories: []);
        ProxySnapshot snapshot = compiler.Compile(loaded.Config!, path, buildListeners: false);
        Console.WriteLine($"{path}: ok: {SnapshotSummary.Describe(snapshot)}");
        return ExitCodes.Ok;
    }
}
