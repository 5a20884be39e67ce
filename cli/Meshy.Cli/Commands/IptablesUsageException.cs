namespace Meshy.Cli.Commands;

/// <summary>A problem <c>meshy iptables</c> reports in one line on stderr before touching anything, with its exit code.</summary>
internal sealed class IptablesUsageException(string message, int exitCode) : Exception(message)
{
    /// <summary><see cref="ExitCodes.Usage"/> for bad options, <see cref="ExitCodes.Failed"/> for a failed check.</summary>
    public int ExitCode { get; } = exitCode;
}
