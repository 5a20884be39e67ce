namespace Meshy.Engine.Runtime;

/// <summary>The process's <see cref="IRandomSource"/>: <see cref="Random.Shared"/> (thread-safe, allocation-free).</summary>
public sealed class SharedRandomSource : IRandomSource
{
    /// <summary>The one instance.</summary>
    public static SharedRandomSource Instance { get; } = new();

    private SharedRandomSource()
    {
    }

    /// <inheritdoc />
    public double NextPercent() => Random.Shared.NextDouble() * 100.0;
}
