namespace Meshy.Conf.Schema;

/// <summary><c>match.path</c>: exactly one of <c>exact</c>, <c>prefix</c> (both start with <c>/</c>) or <c>regex</c>.</summary>
public sealed record PathMatchConfig
{
    /// <summary><see cref="StringMatchKind.Exact"/>, <see cref="StringMatchKind.Prefix"/> or <see cref="StringMatchKind.Regex"/>.</summary>
    public required StringMatchKind Kind { get; init; }

    /// <summary>The path, prefix or pattern.</summary>
    public required string Value { get; init; }
}
