using System.Collections.Immutable;
using System.Net;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.LoadBalancing;
using Meshy.Testing;

namespace Meshy.Engine.Tests.Upstream;

public sealed class WeightedRoundRobinBalancerTests
{
    private static readonly LoadBalancerContext Now = new(DateTime.UtcNow.Ticks);

    [Fact]
    public void Pick_Weights123_ExactOverEveryCycle()
    {
        EndpointSnapshot[] endpoints = Endpoints(1, 2, 3);
        var balancer = new WeightedRoundRobinBalancer([.. endpoints]);

        for (int cycle = 0; cycle < 5; cycle++)
        {
            int[] counts = new int[3];
            for (int i = 0; i < 6; i++)
            {
                counts[Array.IndexOf(endpoints, balancer.Pick(Now))]++;
            }
            Assert.Equal([1, 2, 3], counts);
        }
    }

    [Fact]
    public void Pick_Weights511_InterleavesLikeNginx()
    {
        EndpointSnapshot[] endpoints = Endpoints(5, 1, 1);
        var balancer = new WeightedRoundRobinBalancer([.. endpoints]);

        string sequence = string.Concat(Enumerable.Range(0, 7).Select(_ => "abc"[Array.IndexOf(endpoints, balancer.Pick(Now))]));

        Assert.Equal("aabacaa", sequence);
    }

    [Fact]
    public void Pick_UnhealthyEndpoint_SkippedAndShareGoesToOthersByWeight()
    {
        EndpointSnapshot[] endpoints = Endpoints(1, 2, 3);
        endpoints[1].State.Healthy = false;
        var balancer = new WeightedRoundRobinBalancer([.. endpoints]);

        int[] counts = new int[3];
        for (int i = 0; i < 400; i++)
        {
            counts[Array.IndexOf(endpoints, balancer.Pick(Now))]++;
        }

        Assert.Equal([100, 0, 300], counts);
    }

    [Fact]
    public void Pick_EjectedEndpoint_SkippedUntilEjectionEnds()
    {
        EndpointSnapshot[] endpoints = Endpoints(1, 1);
        endpoints[0].State.EjectedUntilTicks = Now.NowTicks + TimeSpan.TicksPerMinute;
        var balancer = new WeightedRoundRobinBalancer([.. endpoints]);

        Assert.Same(endpoints[1], balancer.Pick(Now));
        Assert.Same(endpoints[1], balancer.Pick(Now));

        var later = new LoadBalancerContext(Now.NowTicks + 2 * TimeSpan.TicksPerMinute);
        var picked = new HashSet<EndpointSnapshot> { balancer.Pick(later)!, balancer.Pick(later)! };
        Assert.Equal(2, picked.Count);
    }

    [Fact]
    public void Pick_NoneAvailable_ReturnsNull()
    {
        EndpointSnapshot[] endpoints = Endpoints(1, 2);
        endpoints[0].State.Healthy = false;
        endpoints[1].State.Healthy = false;

        Assert.Null(new WeightedRoundRobinBalancer([.. endpoints]).Pick(Now));
        Assert.Null(new WeightedRoundRobinBalancer([endpoints[0]]).Pick(Now));
        Assert.Null(new WeightedRoundRobinBalancer([]).Pick(Now));
    }

    [Fact]
    public void Pick_ExcludeWithAlternative_NeverPicksExcluded()
    {
        EndpointSnapshot[] endpoints = Endpoints(1, 100);
        var balancer = new WeightedRoundRobinBalancer([.. endpoints]);

        for (int i = 0; i < 50; i++)
        {
            Assert.Same(endpoints[0], balancer.Pick(Now, exclude: endpoints[1]));
        }
    }

    [Fact]
    public void Pick_ExcludeIsOnlyAvailable_PicksItAnyway()
    {
        EndpointSnapshot[] endpoints = Endpoints(1, 1);
        endpoints[0].State.Healthy = false;
        var balancer = new WeightedRoundRobinBalancer([.. endpoints]);

        Assert.Same(endpoints[1], balancer.Pick(Now, exclude: endpoints[1]));
    }

    [Fact]
    public void Pick_ZeroWeight_NeverPicked()
    {
        EndpointSnapshot[] endpoints = Endpoints(0, 1);
        var balancer = new WeightedRoundRobinBalancer([.. endpoints]);

        for (int i = 0; i < 10; i++)
        {
            Assert.Same(endpoints[1], balancer.Pick(Now));
        }
    }

    [Fact]
    public async Task Pick_ConcurrentThreads_TotalsStayExact()
    {
        EndpointSnapshot[] endpoints = Endpoints(1, 2, 3);
        var balancer = new WeightedRoundRobinBalancer([.. endpoints]);
        int[] counts = new int[3];

        // 4 threads x 6,000 picks: 4,000 cycles of 6, so the totals are exact only if no pick is lost or doubled.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 6000; i++)
            {
                Interlocked.Increment(ref counts[Array.IndexOf(endpoints, balancer.Pick(Now))]);
            }
        })));

        Assert.Equal([4000, 8000, 12000], counts);
    }

    private static EndpointSnapshot[] Endpoints(params int[] weights) =>
        [.. weights.Select((weight, i) => TestSnapshots.Endpoint("c", new IPEndPoint(IPAddress.Loopback, 10000 + i), weight))];
}
