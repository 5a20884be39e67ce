using System.Collections.Immutable;

namespace Meshy.Conf.Reload;

/// <summary>What a load or reload did: success, or every error line (<c>FILE:LINE:COL: key.path: message</c>).</summary>
public sealed record ReloadOutcome(bool Success, ImmutableArray<string> Errors, string Summary)
{
    public static ReloadOutcome Failed(IEnumerable<string> errors) => new(false, [.. errors], "");
}
