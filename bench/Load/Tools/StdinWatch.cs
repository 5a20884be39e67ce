namespace Meshy.Bench.Load.Tools;

/// <summary>
/// Ends a tool when its standard input closes. The runner keeps a pipe to every tool it starts,
/// so a runner that dies without running its cleanup (SIGKILL, crash) still takes its upstreams
/// and load generators with it instead of leaving them bound to ports.
/// </summary>
internal static class StdinWatch
{
    public const string Flag = "exit-on-stdin-eof";

    /// <summary>Calls <paramref name="onEof"/> (default: exit 0) on a background thread when stdin reaches end of file.</summary>
    public static void Start(Action? onEof = null)
    {
        var thread = new Thread(() =>
        {
            using Stream input = Console.OpenStandardInput();
            byte[] buffer = new byte[256];
            try
            {
                while (input.Read(buffer) > 0)
                {
                    // Anything written is ignored: only end of file matters.
                }
            }
            catch (IOException)
            {
                // A broken pipe means the same as end of file.
            }
            (onEof ?? (() => Environment.Exit(0)))();
        })
        {
            IsBackground = true,
            Name = "stdin-watch",
        };
        thread.Start();
    }
}
