using System.CommandLine;

namespace Meshy.Cli.Commands;

/// <summary>Builds the command tree; one class per subcommand.</summary>
internal static class MeshyCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Meshy: a service-mesh proxy for VMs and hosts, configured by one TOML file.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(RouteCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(IptablesCommand.Create());
        return root;
    }
}
