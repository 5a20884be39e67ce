using System.Collections.Immutable;

namespace Meshy.Engine.Upstream.LoadBalancing;

/// <summary>
/// <c>lb = "random"</c>: an endpoint drawn at random in proportion to its weight among the available
/// ones (healthy, not ejected, not excluded). Two passes over the endpoints (sum, then walk to the
/// drawn point), no lock and no state: <see cref="Random.Shared"/> is thread-safe.
/// </summary>
public sealed class RandomBalancer : ILoadBalancer
{
    private readonly EndpointSnapshot[] _endpoints;
    private readonly Random _random;

    /// <summary>Balances over <paramref name="endpoints"/>; <paramref name="random"/> for tests (must be thread-safe), else <see cref="Random.Shared"/>.</summary>
    public RandomBalancer(ImmutableArray<EndpointSnapshot> endpoints, Random? random = null)
    {
        _endpoints = [.. endpoints];
        _random = random ?? Random.Shared;
    }

    /// <inheritdoc />
    public EndpointSnapshot? Pick(in LoadBalancerContext context, EndpointSnapshot? exclude = null) =>
        PickWeighted(in context, exclude) ?? (exclude is null ? null : PickWeighted(in context, exclude: null));

    private EndpointSnapshot? PickWeighted(in LoadBalancerContext context, EndpointSnapshot? exclude)
    {
        long total = 0;
        foreach (EndpointSnapshot endpoint in _endpoints)
        {
            if (Eligible(endpoint, in context, exclude))
            {
                total += endpoint.Weight;
            }
        }
        if (total == 0)
        {
            return null;
        }
        long point = _random.NextInt64(total);
        foreach (EndpointSnapshot endpoint in _endpoints)
        {
            if (Eligible(endpoint, in context, exclude))
            {
                point -= endpoint.Weight;
                if (point < 0)
                {
                    return endpoint;
                }
            }
        }
        // Availability changed between the passes: the draw fell past the end.
        return null;
    }

    internal static bool Eligible(EndpointSnapshot endpoint, in LoadBalancerContext context, EndpointSnapshot? exclude) =>
        endpoint.Weight > 0 && !ReferenceEquals(endpoint, exclude) && context.Admits(endpoint);
}
