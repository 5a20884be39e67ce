namespace Meshy.Conf.Schema;

/// <summary>
/// <c>match.headers.NAME</c>: exactly one of <c>exact</c>, <c>prefix</c>, <c>regex</c> (strings) or
/// <c>present</c> (boolean). A header sent several times is matched against its values joined by <c>,</c>.
/// </summary>
public sealed record HeaderMatchConfig
{
    /// <summary>The header name as written (compared case-insensitively).</summary>
    public required string Name { get; init; }

    /// <summary>Which comparison.</summary>
    public required StringMatchKind Kind { get; init; }

    /// <summary>The text or pattern; empty for <see cref="StringMatchKind.Present"/> and <see cref="StringMatchKind.Absent"/>.</summary>
    public string Value { get; init; } = "";
}
