using System.Collections.Immutable;

namespace Meshy.Engine.Upstream.LoadBalancing;

/// <summary>
/// <c>lb = "round_robin"</c>: smooth weighted round robin, nginx's algorithm. Over any run of
/// Σweight picks with the same endpoints available, each endpoint is picked exactly its weight times,
/// interleaved rather than in bursts (weights 5,1,1 give a a b a c a a, not a a a a a b c).
/// </summary>
/// <remarks>
/// <para>Each pick: every available endpoint's current weight grows by its weight; the largest wins and
/// loses the total. Endpoints that are unavailable (unhealthy, ejected) or excluded take no part, so
/// their share goes to the others in proportion to their weights, and they resume where they left off.</para>
/// <para>Concurrency: a short lock around that O(n) loop. The lock-free alternative, a precomputed
/// schedule of Σweight slots walked by an atomic counter, costs memory proportional to the weights
/// and can only skip an unavailable endpoint's slots (handing its share to whichever slot follows)
/// or rescan, whereas the locked form stays exact as availability changes. An uncontended lock is a
/// single interlocked operation, and the critical section touches one array; a pick allocates nothing.</para>
/// </remarks>
public sealed class WeightedRoundRobinBalancer : ILoadBalancer
{
    private readonly EndpointSnapshot[] _endpoints;
    private readonly long[] _currentWeights;
    private readonly Lock _lock = new();

    /// <summary>Balances over <paramref name="endpoints"/> (a cluster's or a subset's), using each one's <see cref="EndpointSnapshot.Weight"/>.</summary>
    public WeightedRoundRobinBalancer(ImmutableArray<EndpointSnapshot> endpoints)
    {
        _endpoints = [.. endpoints];
        _currentWeights = new long[_endpoints.Length];
    }

    /// <summary>The endpoints this balancer picks from.</summary>
    public IReadOnlyList<EndpointSnapshot> Endpoints => _endpoints;

    /// <inheritdoc />
    public EndpointSnapshot? Pick(in LoadBalancerContext context, EndpointSnapshot? exclude = null)
    {
        if (_endpoints.Length == 1)
        {
            // No choice to make and no state to keep.
            EndpointSnapshot only = _endpoints[0];
            return only.Weight > 0 && context.Admits(only) ? only : null;
        }
        lock (_lock)
        {
            int picked = PickUnsynchronized(in context, exclude);
            if (picked < 0 && exclude is not null)
            {
                // The excluded endpoint is the only one available: a retry to it beats no retry.
                picked = PickUnsynchronized(in context, exclude: null);
            }
            return picked < 0 ? null : _endpoints[picked];
        }
    }

    private int PickUnsynchronized(in LoadBalancerContext context, EndpointSnapshot? exclude)
    {
        long total = 0;
        int best = -1;
        for (int i = 0; i < _endpoints.Length; i++)
        {
            EndpointSnapshot endpoint = _endpoints[i];
            if (endpoint.Weight <= 0 || ReferenceEquals(endpoint, exclude) || !context.Admits(endpoint))
            {
                continue;
            }
            _currentWeights[i] += endpoint.Weight;
            total += endpoint.Weight;
            if (best < 0 || _currentWeights[i] > _currentWeights[best])
            {
                best = i;
            }
        }
        if (best >= 0)
        {
            _currentWeights[best] -= total;
        }
        return best;
    }
}
