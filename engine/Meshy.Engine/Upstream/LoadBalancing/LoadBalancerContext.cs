namespace Meshy.Engine.Upstream.LoadBalancing;

/// <summary>What a pick may look at: the request's hash key (ring hash), the clock, and whether health is ignored (panic).</summary>
public readonly struct LoadBalancerContext(long nowTicks, ulong hashKey = 0, bool hasHashKey = false, bool panic = false)
{
    /// <summary>UTC ticks, for ejection checks.</summary>
    public long NowTicks { get; } = nowTicks;

    /// <summary>The request's hash (ring_hash); meaningful only when <see cref="HasHashKey"/>.</summary>
    public ulong HashKey { get; } = hashKey;

    /// <summary>Whether <see cref="HashKey"/> was computed.</summary>
    public bool HasHashKey { get; } = hasHashKey;

    /// <summary>
    /// Panic mode (Envoy's): no endpoint the request could use is available, so every endpoint counts as
    /// available rather than failing everything; weight 0 and the excluded endpoint still take no part.
    /// </summary>
    public bool Panic { get; } = panic;

    /// <summary>True when <paramref name="endpoint"/> may be picked: available, or anything in panic mode.</summary>
    public bool Admits(EndpointSnapshot endpoint) => Panic || endpoint.State.IsAvailable(NowTicks);
}
