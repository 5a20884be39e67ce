namespace Meshy.Cli.Commands;

/// <summary>
/// Where the config comes from, in CONTRACT.md's order: <c>--config</c>, else <c>$MESHY_CONFIG</c>,
/// else <c>conf/meshy.toml</c> in the working directory, else the embedded default (null here).
/// </summary>
internal static class ConfigPathResolver
{
    public const string EnvironmentVariable = "MESHY_CONFIG";
    public const string WorkingDirectoryDefault = "conf/meshy.toml";

    /// <summary>The path as the user gave it (kept verbatim for error lines), or null for the embedded default.</summary>
    public static string? Resolve(string? option)
    {
        if (!string.IsNullOrEmpty(option))
        {
            return option;
        }
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }
        return File.Exists(WorkingDirectoryDefault) ? WorkingDirectoryDefault : null;
    }
}
