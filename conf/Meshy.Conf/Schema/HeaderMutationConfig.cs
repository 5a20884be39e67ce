using System.Collections.Immutable;

namespace Meshy.Conf.Schema;

/// <summary>
/// <c>headers.request|response = { set, add, remove }</c>, applied in that order: <c>set</c> replaces,
/// <c>add</c> appends another value, <c>remove</c> deletes. Names are compared case-insensitively.
/// </summary>
public sealed record HeaderMutationConfig
{
    /// <summary>No edits.</summary>
    public static HeaderMutationConfig None { get; } = new();

    /// <summary><c>set</c>: table name → value; replaces every existing value of the header.</summary>
    public ImmutableArray<KeyValuePair<string, string>> Set { get; init; } = [];

    /// <summary><c>add</c>: table name → value; appends a value, keeping existing ones.</summary>
    public ImmutableArray<KeyValuePair<string, string>> Add { get; init; } = [];

    /// <summary><c>remove</c>: list of header names to delete.</summary>
    public ImmutableArray<string> Remove { get; init; } = [];

    /// <summary>True when nothing is edited.</summary>
    public bool IsEmpty => Set.IsEmpty && Add.IsEmpty && Remove.IsEmpty;
}
