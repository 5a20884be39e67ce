using System.Collections.Immutable;
using Meshy.Engine.Http;

namespace Meshy.Filters.Router;

/// <summary>
/// One compiled <c>match</c> table: its conditions must all hold. Implemented now: <c>path.exact</c>,
/// <c>path.prefix</c> and <c>method</c>. A table using any other condition was compiled as
/// <see cref="Unsupported"/> and never matches (never silently match what cannot be checked).
/// </summary>
internal sealed class RouteMatch
{
    /// <summary>The path, or null for any path.</summary>
    public byte[]? Path { get; init; }

    /// <summary>True when <see cref="Path"/> is a prefix, false when exact.</summary>
    public bool PathIsPrefix { get; init; }

    /// <summary>Allowed method tokens; empty for any.</summary>
    public ImmutableArray<byte[]> Methods { get; init; } = [];

    /// <summary>True when the table uses a condition this build cannot evaluate yet.</summary>
    public bool Unsupported { get; init; }

    /// <summary>True when every condition holds for <paramref name="request"/>.</summary>
    public bool Matches(HttpRequestHead request)
    {
        if (Unsupported)
        {
            return false;
        }
        if (Path is { } path)
        {
            ReadOnlySpan<byte> requestPath = request.Path;
            if (PathIsPrefix ? !requestPath.StartsWith(path) : !requestPath.SequenceEqual(path))
            {
                return false;
            }
        }
        if (!Methods.IsEmpty)
        {
            ReadOnlySpan<byte> method = request.MethodBytes;
            bool any = false;
            foreach (byte[] allowed in Methods)
            {
                if (method.SequenceEqual(allowed))
                {
                    any = true;
                    break;
                }
            }
            if (!any)
            {
                return false;
            }
        }
        return true;
    }
}
