using Meshy.Engine.Runtime;

namespace Meshy.Filters.Tests.Fault;

/// <summary>An <see cref="IRandomSource"/> that returns the given draws in a loop and counts them.</summary>
internal sealed class ScriptedRandom(params double[] draws) : IRandomSource
{
    private int _next;

    /// <summary>Draws taken so far.</summary>
    public int Taken => _next;

    public double NextPercent() => draws[_next++ % draws.Length];
}
