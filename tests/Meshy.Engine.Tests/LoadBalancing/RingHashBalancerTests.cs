using System.Collections.Immutable;
using System.Text;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.LoadBalancing;

namespace Meshy.Engine.Tests.LoadBalancing;

/// <summary>ring_hash: the same key sticks, and a change of one of n endpoints moves about 1/n of keys.</summary>
public sealed class RingHashBalancerTests
{
    private const int Keys = 10_000;

    private static LoadBalancerContext Key(int i) => new(1, StableHash.Hash64(Encoding.ASCII.GetBytes($"user-{i}")), hasHashKey: true);

    private static string[] Assign(RingHashBalancer balancer)
    {
        var owners = new string[Keys];
        for (int i = 0; i < Keys; i++)
        {
            owners[i] = balancer.Pick(Key(i))!.Address;
        }
        return owners;
    }

    [Fact]
    public void Pick_SameKey_SameEndpointEveryTimeAndAcrossRebuilds()
    {
        ImmutableArray<EndpointSnapshot> endpoints = Endpoints.Many(5);
        string[] first = Assign(new RingHashBalancer(endpoints));
        Assert.Equal(first, Assign(new RingHashBalancer(endpoints)));
        Assert.Equal(first, Assign(new RingHashBalancer([.. endpoints.Reverse()])));
    }

    [Fact]
    public void Pick_TenEndpoints_KeysSpreadOverAll()
    {
        string[] owners = Assign(new RingHashBalancer(Endpoints.Many(10)));
        foreach (IGrouping<string, string> group in owners.GroupBy(o => o))
        {
            // 1000 expected each; 160 points per endpoint keep every share well within ±40%.
            Assert.InRange(group.Count(), 600, 1400);
        }
        Assert.Equal(10, owners.Distinct().Count());
    }

    [Fact]
    public void RemoveOneOfTen_AboutATenthOfKeysMove_OnlyTheRemovedEndpointsKeys()
    {
        ImmutableArray<EndpointSnapshot> all = Endpoints.Many(10);
        string[] before = Assign(new RingHashBalancer(all));
        string removed = all[3].Address;
        string[] after = Assign(new RingHashBalancer(all.RemoveAt(3)));

        int moved = 0;
        for (int i = 0; i < Keys; i++)
        {
            if (before[i] != after[i])
            {
                moved++;
                Assert.Equal(removed, before[i]);
            }
        }
        Assert.InRange(moved, 1, Keys / 5);
    }

    [Fact]
    public void AddOneToNine_OnlyKeysTakenByTheNewEndpointMove()
    {
        ImmutableArray<EndpointSnapshot> all = Endpoints.Many(10);
        string[] before = Assign(new RingHashBalancer(all.RemoveAt(9)));
        string[] after = Assign(new RingHashBalancer(all));
        int moved = 0;
        for (int i = 0; i < Keys; i++)
        {
            if (before[i] != after[i])
            {
                moved++;
                Assert.Equal(all[9].Address, after[i]);
            }
        }
        Assert.InRange(moved, 1, Keys / 5);
    }

    [Fact]
    public void Pick_OwnerUnavailable_OnlyItsKeysMoveAndReturnAfterwards()
    {
        ImmutableArray<EndpointSnapshot> all = Endpoints.Many(10);
        var balancer = new RingHashBalancer(all);
        string[] before = Assign(balancer);
        all[4].State.Healthy = false;
        string[] during = Assign(balancer);
        for (int i = 0; i < Keys; i++)
        {
            if (before[i] == all[4].Address)
            {
                Assert.NotEqual(before[i], during[i]);
            }
            else
            {
                Assert.Equal(before[i], during[i]);
            }
        }
        all[4].State.Healthy = true;
        Assert.Equal(before, Assign(balancer));
    }

    [Fact]
    public void Pick_WeightTwo_TakesAboutTwiceTheKeys()
    {
        ImmutableArray<EndpointSnapshot> endpoints = [Endpoints.One("10.0.0.1:80", 2), Endpoints.One("10.0.0.2:80", 1), Endpoints.One("10.0.0.3:80", 1)];
        string[] owners = Assign(new RingHashBalancer(endpoints));
        Assert.InRange(owners.Count(o => o == "10.0.0.1:80"), 4000, 6000);
    }
}
