using Meshy.Bench.Load.Processes;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>Runs a load generator to completion on the load core, bounded in time, and returns its stdout.</summary>
internal static class LoadTool
{
    public static async Task<IReadOnlyList<string>> RunAsync(string name, ProcessCommand command, TimeSpan expected, CancellationToken cancellationToken)
    {
        await using ChildProcess process = ChildProcess.Start(name, command);
        // Generous: startup, connection setup, and a proxy that stalls at the end of a run must not
        // hang the suite, but a run that takes far longer than asked is broken.
        TimeSpan limit = expected + TimeSpan.FromSeconds(30);
        int exitCode = await process.WaitForExitAsync(limit, cancellationToken);
        IReadOnlyList<string> output = process.DrainStdout();
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{name} exited with code {exitCode}: {process.Tail()}");
        }
        return output;
    }
}
