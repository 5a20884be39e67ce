using System.CommandLine;
using Meshy.Cli.Commands;

namespace Meshy.Cli;

/// <summary>The <c>meshy</c> command: exit 0 ok, 1 bad config or failed check, 2 usage error.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        RootCommand root = MeshyCommand.Create();
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"meshy: {error.Message}");
            }
            await Console.Error.WriteLineAsync("meshy: see 'meshy --help'");
            return ExitCodes.Usage;
        }
        // Signals are Meshy's own business (drain on SIGTERM, reload on SIGHUP), not the parser's.
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
        return await parsed.InvokeAsync(invocation);
    }
}
