namespace Meshy.Conf.Loading;

/// <summary>A 1-based line and column in a config file.</summary>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public readonly record struct SourcePosition(int Line, int Column)
{
    /// <summary>The start of the file (1:1), for problems that have no better place.</summary>
    public static SourcePosition Start { get; } = new(1, 1);

    /// <inheritdoc />
    public override string ToString() => $"{Line}:{Column}";
}
