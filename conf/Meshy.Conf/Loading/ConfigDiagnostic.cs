namespace Meshy.Conf.Loading;

/// <summary>
/// One configuration problem, printed as <c>FILE:LINE:COL: key.path: message</c>.
/// </summary>
/// <param name="File">The config path exactly as it was given (to <c>--config</c>, <c>$MESHY_CONFIG</c> or the loader).</param>
/// <param name="Line">1-based line of the key that is wrong, or of its value when the value is.</param>
/// <param name="Column">1-based column on <paramref name="Line"/>.</param>
/// <param name="KeyPath">Where in the document, arrays indexed: <c>routes[1].rules[0].to[2].weight</c>; <c>(file)</c> when no key applies.</param>
/// <param name="Message">What was expected and what was found.</param>
public sealed record ConfigDiagnostic(string File, int Line, int Column, string KeyPath, string Message)
{
    /// <summary>The key path used when a problem concerns the whole file (missing file, unreadable bytes).</summary>
    public const string FileKeyPath = "(file)";

    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}:{Column}: {KeyPath}: {Message}";
}
