namespace Meshy.Bench.Load.Cli;

/// <summary>A bad command line: the message names the option and what was expected (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);
