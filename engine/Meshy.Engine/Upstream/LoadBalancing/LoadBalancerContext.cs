namespace Meshy.Engine.Upstream.LoadBalancing;

/// <summary>What a pick may look at: the request's hash key (ring hash) and the clock.</summary>
public readonly struct LoadBalancerContext(long nowTicks, ulong hashKey = 0, bool hasHashKey = false)
{
    /// <summary>UTC ticks, for ejection checks.</summary>
    public long NowTicks { get; } = nowTicks;

    /// <summary>The request's hash (ring_hash); meaningful only when <see cref="HasHashKey"/>.</summary>
    public ulong HashKey { get; } = hashKey;

    /// <summary>Whether <see cref="HashKey"/> was computed.</summary>
    public bool HasHashKey { get; } = hasHashKey;
}
