namespace Meshy.Engine.Runtime;

/// <summary>
/// Where per-request random draws come from (fault injection, sampling). Injected, so tests can make
/// the draws deterministic; the process uses <see cref="SharedRandomSource"/>. Must be thread-safe.
/// </summary>
public interface IRandomSource
{
    /// <summary>A uniform draw in [0, 100): a request is selected by a percentage p when the draw is below p.</summary>
    double NextPercent();
}
