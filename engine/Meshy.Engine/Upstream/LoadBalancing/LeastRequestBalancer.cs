using System.Collections.Immutable;

namespace Meshy.Engine.Upstream.LoadBalancing;

/// <summary>
/// <c>lb = "least_request"</c>: power of two choices. Two distinct available endpoints are drawn
/// uniformly; the one with the lower load wins, load being (active requests + 1) / weight, Envoy's
/// weighted form (its effective weight is weight / (active + 1)): an idle endpoint beats a busy one,
/// and with equal activity the heavier one wins. Compared by cross-multiplying, so no division.
/// </summary>
/// <remarks>
/// Two choices rather than the global minimum: picks are cheap (no scan for the minimum under a
/// lock) and concurrent pickers do not all pile onto the one endpoint that looked idlest a moment
/// ago (Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing"). No lock, no state;
/// active counts are read with <see cref="EndpointState.ActiveRequests"/>.
/// </remarks>
public sealed class LeastRequestBalancer : ILoadBalancer
{
    private readonly EndpointSnapshot[] _endpoints;
    private readonly Random _random;

    /// <summary>Balances over <paramref name="endpoints"/>; <paramref name="random"/> for tests (must be thread-safe), else <see cref="Random.Shared"/>.</summary>
    public LeastRequestBalancer(ImmutableArray<EndpointSnapshot> endpoints, Random? random = null)
    {
        _endpoints = [.. endpoints];
        _random = random ?? Random.Shared;
    }

    /// <inheritdoc />
    public EndpointSnapshot? Pick(in LoadBalancerContext context, EndpointSnapshot? exclude = null) =>
        PickTwo(in context, exclude) ?? (exclude is null ? null : PickTwo(in context, exclude: null));

    private EndpointSnapshot? PickTwo(in LoadBalancerContext context, EndpointSnapshot? exclude)
    {
        int count = 0;
        foreach (EndpointSnapshot endpoint in _endpoints)
        {
            if (RandomBalancer.Eligible(endpoint, in context, exclude))
            {
                count++;
            }
        }
        if (count == 0)
        {
            return null;
        }
        if (count == 1)
        {
            return NthEligible(0, in context, exclude);
        }
        int first = _random.Next(count);
        int second = _random.Next(count - 1);
        if (second >= first)
        {
            second++;
        }
        EndpointSnapshot? a = NthEligible(first, in context, exclude);
        EndpointSnapshot? b = NthEligible(second, in context, exclude);
        if (a is null || b is null)
        {
            return a ?? b;
        }
        // a.load <= b.load  ⇔  (a.active + 1) / a.weight <= (b.active + 1) / b.weight
        long aLoad = (a.State.ActiveRequests + 1) * (long)b.Weight;
        long bLoad = (b.State.ActiveRequests + 1) * (long)a.Weight;
        return aLoad <= bLoad ? a : b;
    }

    private EndpointSnapshot? NthEligible(int n, in LoadBalancerContext context, EndpointSnapshot? exclude)
    {
        foreach (EndpointSnapshot endpoint in _endpoints)
        {
            if (RandomBalancer.Eligible(endpoint, in context, exclude) && n-- == 0)
            {
                return endpoint;
            }
        }
        // Availability changed between the passes.
        return null;
    }
}
