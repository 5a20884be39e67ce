using System.CommandLine;
using Meshy.Cli.Commands;

namespace Meshy.Cli;

/// <summary>The <c>meshy</c> command: exit 0 ok, 1 bad config or failed check, 2 usage error.</summary>
internal static class Program
{
    private const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    private static async Task<int> Main(string[] args)
    {
        // A proxy's socket continuations are short and never block, so run them on the socket engine's
        // thread instead of hopping to the thread pool: the hop's wake-ups cost a quarter of the CPU per
        // HTTP request in the load bench. Read once when the first socket is made, so set it before that;
        // an explicit setting in the environment wins.
        if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
        }
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
