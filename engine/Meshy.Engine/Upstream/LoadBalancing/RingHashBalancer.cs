using System.Collections.Immutable;
using System.Text;

namespace Meshy.Engine.Upstream.LoadBalancing;

/// <summary>
/// <c>lb = "ring_hash"</c>: consistent hashing (Karger et al.). Each endpoint owns
/// <see cref="VirtualNodesPerWeight"/> × weight points on a 64-bit ring, placed by a stable hash of
/// its address and the point's number; a request goes to the owner of the first point at or after
/// its key (<see cref="LoadBalancerContext.HashKey"/>, computed by the router from <c>hash_on</c>).
/// </summary>
/// <remarks>
/// <para>Stability: an endpoint's points depend only on its own address and weight, so adding or
/// removing one of n endpoints moves only the keys that land on (or next to) its points, about 1/n
/// of them, and no key moves between two endpoints that both remain. With 160 points per weight unit
/// the share of each endpoint is within a few percent of its weight's share.</para>
/// <para>An unavailable or excluded owner passes the key on to the next point's owner (walking the
/// ring), so only that endpoint's keys move while it is out. A request without a key starts at a
/// random point. The ring is immutable: picks take no lock and allocate nothing (a binary search).</para>
/// <para>Size: the ring is capped at <see cref="MaxRingSize"/> points; past it every endpoint's
/// point count is scaled down alike (weights stay proportional, but stability across a change that
/// alters the scale is no longer guaranteed).</para>
/// </remarks>
public sealed class RingHashBalancer : ILoadBalancer
{
    /// <summary>Points per unit of endpoint weight.</summary>
    public const int VirtualNodesPerWeight = 160;

    /// <summary>Most points on one ring (16 bytes each).</summary>
    public const int MaxRingSize = 1 << 20;

    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    private readonly EndpointSnapshot[] _endpoints;
    private readonly ulong[] _hashes;
    private readonly int[] _owners;
    private readonly Random _random;

    /// <summary>Builds the ring over <paramref name="endpoints"/>; <paramref name="random"/> (thread-safe) places keyless requests.</summary>
    public RingHashBalancer(ImmutableArray<EndpointSnapshot> endpoints, Random? random = null)
    {
        _endpoints = [.. endpoints];
        _random = random ?? Random.Shared;
        long totalWeight = 0;
        foreach (EndpointSnapshot endpoint in _endpoints)
        {
            totalWeight += Math.Max(0, endpoint.Weight);
        }
        double scale = totalWeight * (double)VirtualNodesPerWeight > MaxRingSize
            ? MaxRingSize / (double)totalWeight
            : VirtualNodesPerWeight;
        var points = new List<(ulong Hash, int Owner)>();
        for (int owner = 0; owner < _endpoints.Length; owner++)
        {
            EndpointSnapshot endpoint = _endpoints[owner];
            if (endpoint.Weight <= 0)
            {
                continue;
            }
            int count = Math.Max(1, (int)Math.Round(endpoint.Weight * scale));
            ulong seed = StableHash.Hash64(Encoding.UTF8.GetBytes(endpoint.Address));
            for (int i = 0; i < count; i++)
            {
                points.Add((StableHash.Mix(seed + ((ulong)i * Golden)), owner));
            }
        }
        // Ties (vanishingly rare) are broken by endpoint order so the ring does not depend on insertion order.
        points.Sort(static (x, y) => x.Hash != y.Hash ? x.Hash.CompareTo(y.Hash) : x.Owner.CompareTo(y.Owner));
        _hashes = new ulong[points.Count];
        _owners = new int[points.Count];
        for (int i = 0; i < points.Count; i++)
        {
            (_hashes[i], _owners[i]) = points[i];
        }
    }

    /// <summary>Points on the ring.</summary>
    public int RingSize => _hashes.Length;

    /// <inheritdoc />
    public EndpointSnapshot? Pick(in LoadBalancerContext context, EndpointSnapshot? exclude = null)
    {
        if (_hashes.Length == 0)
        {
            return null;
        }
        ulong key = context.HasHashKey ? context.HashKey : (ulong)_random.NextInt64() ^ ((ulong)_random.Next() << 63);
        int start = LowerBound(key);
        return Walk(start, in context, exclude) ?? (exclude is null ? null : Walk(start, in context, exclude: null));
    }

    private EndpointSnapshot? Walk(int start, in LoadBalancerContext context, EndpointSnapshot? exclude)
    {
        for (int step = 0; step < _hashes.Length; step++)
        {
            int index = start + step;
            if (index >= _hashes.Length)
            {
                index -= _hashes.Length;
            }
            EndpointSnapshot endpoint = _endpoints[_owners[index]];
            if (!ReferenceEquals(endpoint, exclude) && context.Admits(endpoint))
            {
                return endpoint;
            }
        }
        return null;
    }

    /// <summary>The first point at or after <paramref name="key"/>, wrapping past the top of the ring to 0.</summary>
    private int LowerBound(ulong key)
    {
        int low = 0;
        int high = _hashes.Length;
        while (low < high)
        {
            int middle = low + ((high - low) >> 1);
            if (_hashes[middle] < key)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low == _hashes.Length ? 0 : low;
    }
}
