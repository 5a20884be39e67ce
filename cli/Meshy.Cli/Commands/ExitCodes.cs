namespace Meshy.Cli.Commands;

/// <summary>The exit codes of CONTRACT.md.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
}
