namespace Meshy.Conf.Schema;

/// <summary><c>rewrite = { prefix, host }</c>: edits before proxying; at least one key.</summary>
public sealed record RewriteConfig
{
    /// <summary>
    /// <c>prefix</c>: replaces the part of the path matched by <c>match.path.prefix</c>, or the whole path
    /// when the rule did not match by prefix. Starts with <c>/</c>.
    /// </summary>
    public string? Prefix { get; init; }

    /// <summary><c>host</c>: replaces the Host / <c>:authority</c> sent upstream.</summary>
    public string? Host { get; init; }
}
