namespace Meshy.Conf.Schema;

/// <summary>
/// <c>match.query.NAME</c>: exactly one of <c>exact</c>, <c>regex</c> (on the percent-decoded value) or
/// <c>present</c>. The first occurrence of the parameter is the one compared.
/// </summary>
public sealed record QueryMatchConfig
{
    /// <summary>The parameter name (case-sensitive).</summary>
    public required string Name { get; init; }

    /// <summary><see cref="StringMatchKind.Exact"/>, <see cref="StringMatchKind.Regex"/>, <see cref="StringMatchKind.Present"/> or <see cref="StringMatchKind.Absent"/>.</summary>
    public required StringMatchKind Kind { get; init; }

    /// <summary>The text or pattern; empty for presence checks.</summary>
    public string Value { get; init; } = "";
}
