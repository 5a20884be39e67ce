using System.Collections.Immutable;

namespace Meshy.Conf.Schema;

/// <summary>
/// One entry of <c>clusters[].subsets</c>: <c>{ name, labels }</c>. The subset is the endpoints whose labels
/// include every one of its labels; a subset may be empty (its traffic then finds no healthy endpoint).
/// </summary>
public sealed record SubsetConfig
{
    /// <summary><c>name</c>: unique within the cluster; rules refer to it. Required.</summary>
    public required string Name { get; init; }

    /// <summary><c>labels</c>: at least one label; all must match. Required.</summary>
    public required ImmutableDictionary<string, string> Labels { get; init; }

    /// <summary>True when <paramref name="endpointLabels"/> holds every label of this subset.</summary>
    public bool Selects(IReadOnlyDictionary<string, string> endpointLabels)
    {
        foreach ((string key, string value) in Labels)
        {
            if (!endpointLabels.TryGetValue(key, out string? actual) || actual != value)
            {
                return false;
            }
        }
        return true;
    }
}
