namespace Meshy.Conf.Schema;

/// <summary><c>[runtime]</c>: process-wide settings.</summary>
public sealed record RuntimeConfig
{
    /// <summary>The defaults: drain 20s, 100 000 connections.</summary>
    public static RuntimeConfig Default { get; } = new();

    /// <summary>
    /// <c>drain_timeout</c>: how long in-flight requests may finish on shutdown or when a reload
    /// removes their listener, before they are cut. Default <c>20s</c>, range 0s–1h.
    /// </summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// <c>max_connections</c>: downstream connections over all proxy listeners (admin excluded);
    /// a connection beyond it is accepted and closed at once. Default 100 000, range 1–10 000 000.
    /// </summary>
    public int MaxConnections { get; init; } = 100_000;
}
