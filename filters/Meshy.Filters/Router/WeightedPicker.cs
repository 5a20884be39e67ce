using System.Collections.Immutable;

namespace Meshy.Filters.Router;

/// <summary>
/// Picks one of a rule's weighted destinations by smooth weighted round robin (nginx's algorithm, as
/// the endpoint balancer does): over Σweight picks each destination gets exactly its weight, spread out
/// rather than in bursts. A destination with no available endpoint takes no part, so its share goes to
/// the others in proportion to their weights (CONTRACT: weighted <c>to</c>).
/// </summary>
internal sealed class WeightedPicker
{
    private readonly RouteDestination[] _destinations;
    private readonly long[] _current;
    private readonly Lock _lock = new();

    public WeightedPicker(ImmutableArray<RouteDestination> destinations)
    {
        _destinations = [.. destinations];
        _current = new long[_destinations.Length];
    }

    /// <summary>The destinations, in rule order.</summary>
    public IReadOnlyList<RouteDestination> Destinations => _destinations;

    /// <summary>
    /// A destination with an available endpoint, or null when none has one. With <paramref name="panic"/>
    /// (none had one), a destination with any endpoint of nonzero weight, health ignored.
    /// </summary>
    public RouteDestination? Pick(long nowTicks, bool panic = false)
    {
        if (_destinations.Length == 1)
        {
            RouteDestination only = _destinations[0];
            return only.Weight > 0 && Admits(only, nowTicks, panic) ? only : null;
        }
        lock (_lock)
        {
            long total = 0;
            int best = -1;
            for (int i = 0; i < _destinations.Length; i++)
            {
                RouteDestination destination = _destinations[i];
                if (destination.Weight <= 0 || !Admits(destination, nowTicks, panic))
                {
                    continue;
                }
                _current[i] += destination.Weight;
                total += destination.Weight;
                if (best < 0 || _current[i] > _current[best])
                {
                    best = i;
                }
            }
            if (best < 0)
            {
                return null;
            }
            _current[best] -= total;
            return _destinations[best];
        }
    }

    private static bool Admits(RouteDestination destination, long nowTicks, bool panic) =>
        panic ? destination.HasEndpoint() : destination.HasAvailableEndpoint(nowTicks);
}
