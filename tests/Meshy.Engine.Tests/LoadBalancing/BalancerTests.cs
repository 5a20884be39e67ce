using System.Collections.Immutable;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.LoadBalancing;

namespace Meshy.Engine.Tests.LoadBalancing;

/// <summary>round_robin, least_request and random: splits, availability, exclusion.</summary>
public sealed class BalancerTests
{
    private static readonly LoadBalancerContext Now = new(nowTicks: 1);

    public static TheoryData<string> Policies => ["round_robin", "least_request", "random", "ring_hash"];

    private static ILoadBalancer Create(string policy, ImmutableArray<EndpointSnapshot> endpoints) => policy switch
    {
        "round_robin" => new WeightedRoundRobinBalancer(endpoints),
        "least_request" => new LeastRequestBalancer(endpoints),
        "random" => new RandomBalancer(endpoints),
        _ => new RingHashBalancer(endpoints),
    };

    [Fact]
    public void RoundRobin_WeightsThreeTwoOne_ExactCountsPerCycle()
    {
        ImmutableArray<EndpointSnapshot> endpoints = [Endpoints.One("10.0.0.1:80", 3), Endpoints.One("10.0.0.2:80", 2), Endpoints.One("10.0.0.3:80", 1)];
        var balancer = new WeightedRoundRobinBalancer(endpoints);
        var counts = new Dictionary<EndpointSnapshot, int>();
        for (int i = 0; i < 600; i++)
        {
            EndpointSnapshot picked = balancer.Pick(in Now)!;
            counts[picked] = counts.GetValueOrDefault(picked) + 1;
        }
        Assert.Equal([300, 200, 100], endpoints.Select(e => counts[e]));
    }

    [Fact]
    public void LeastRequest_OneBusyEndpoint_NeverPickedWhileOthersIdle()
    {
        ImmutableArray<EndpointSnapshot> endpoints = Endpoints.Many(3);
        for (int i = 0; i < 5; i++)
        {
            endpoints[0].State.RequestStarted();
        }
        var balancer = new LeastRequestBalancer(endpoints);
        var counts = new int[3];
        for (int i = 0; i < 3000; i++)
        {
            counts[endpoints.IndexOf(balancer.Pick(in Now)!)]++;
        }
        // Two distinct candidates of three always include an idle one, which beats the busy one.
        Assert.Equal(0, counts[0]);
        // The idle two share the rest evenly: expected 1500 each, sd ≈ 27; 6 sd bounds.
        Assert.InRange(counts[1], 1340, 1660);
    }

    [Fact]
    public void LeastRequest_EqualActivity_HeavierEndpointWins()
    {
        ImmutableArray<EndpointSnapshot> endpoints = [Endpoints.One("10.0.0.1:80", 1), Endpoints.One("10.0.0.2:80", 3)];
        endpoints[0].State.RequestStarted();
        endpoints[1].State.RequestStarted();
        var balancer = new LeastRequestBalancer(endpoints);
        for (int i = 0; i < 100; i++)
        {
            Assert.Same(endpoints[1], balancer.Pick(in Now));
        }
    }

    [Fact]
    public void LeastRequest_LoadPerWeight_LighterLoadWins()
    {
        // 4 active on weight 4 is a load of 5/4 per unit; 2 active on weight 1 is 3: the heavier endpoint wins.
        ImmutableArray<EndpointSnapshot> endpoints = [Endpoints.One("10.0.0.1:80", 4), Endpoints.One("10.0.0.2:80", 1)];
        for (int i = 0; i < 4; i++)
        {
            endpoints[0].State.RequestStarted();
        }
        endpoints[1].State.RequestStarted();
        endpoints[1].State.RequestStarted();
        var balancer = new LeastRequestBalancer(endpoints);
        Assert.Same(endpoints[0], balancer.Pick(in Now));
    }

    [Fact]
    public void Random_WeightsOneToThree_SplitWithinSixSigma()
    {
        ImmutableArray<EndpointSnapshot> endpoints = [Endpoints.One("10.0.0.1:80", 1), Endpoints.One("10.0.0.2:80", 3)];
        var balancer = new RandomBalancer(endpoints);
        int first = 0;
        const int picks = 10_000;
        for (int i = 0; i < picks; i++)
        {
            if (ReferenceEquals(balancer.Pick(in Now), endpoints[0]))
            {
                first++;
            }
        }
        // Binomial(10 000, 0.25): mean 2500, sd ≈ 43.3; ±6 sd. An unweighted pick (5000) fails.
        Assert.InRange(first, 2240, 2760);
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void Pick_UnavailableEndpoints_Skipped(string policy)
    {
        ImmutableArray<EndpointSnapshot> endpoints = Endpoints.Many(4);
        endpoints[0].State.Healthy = false;
        endpoints[2].State.EjectedUntilTicks = long.MaxValue;
        ILoadBalancer balancer = Create(policy, endpoints);
        for (int i = 0; i < 200; i++)
        {
            EndpointSnapshot picked = balancer.Pick(new LoadBalancerContext(1, (ulong)i * 0x9E3779B97F4A7C15UL, hasHashKey: true))!;
            Assert.True(picked == endpoints[1] || picked == endpoints[3], picked.Address);
        }
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void Pick_NoneAvailable_ReturnsNull(string policy)
    {
        ImmutableArray<EndpointSnapshot> endpoints = Endpoints.Many(3);
        foreach (EndpointSnapshot endpoint in endpoints)
        {
            endpoint.State.Healthy = false;
        }
        Assert.Null(Create(policy, endpoints).Pick(in Now));
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void Pick_Exclude_AvoidsItWhileAnotherIsAvailable(string policy)
    {
        ImmutableArray<EndpointSnapshot> endpoints = Endpoints.Many(3);
        ILoadBalancer balancer = Create(policy, endpoints);
        for (int i = 0; i < 200; i++)
        {
            Assert.NotSame(endpoints[1], balancer.Pick(new LoadBalancerContext(1, (ulong)i * 0x9E3779B97F4A7C15UL, hasHashKey: true), exclude: endpoints[1]));
        }
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void Pick_ExcludedIsTheOnlyAvailable_PicksItRatherThanNothing(string policy)
    {
        ImmutableArray<EndpointSnapshot> endpoints = Endpoints.Many(2);
        endpoints[0].State.Healthy = false;
        Assert.Same(endpoints[1], Create(policy, endpoints).Pick(in Now, exclude: endpoints[1]));
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void Pick_ZeroWeight_NeverPicked(string policy)
    {
        ImmutableArray<EndpointSnapshot> endpoints = [Endpoints.One("10.0.0.1:80", 0), Endpoints.One("10.0.0.2:80", 1), Endpoints.One("10.0.0.3:80", 1)];
        ILoadBalancer balancer = Create(policy, endpoints);
        for (int i = 0; i < 200; i++)
        {
            Assert.NotSame(endpoints[0], balancer.Pick(new LoadBalancerContext(1, (ulong)i * 0x9E3779B97F4A7C15UL, hasHashKey: true)));
        }
    }
}
