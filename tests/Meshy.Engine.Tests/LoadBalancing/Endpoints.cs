using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using Meshy.Engine.Upstream;

namespace Meshy.Engine.Tests.LoadBalancing;

/// <summary>Endpoint lists for balancer tests.</summary>
internal static class Endpoints
{
    public static EndpointSnapshot One(string address, int weight = 1) => new()
    {
        Address = address,
        EndPoint = IPEndPoint.Parse(address),
        Labels = FrozenDictionary<string, string>.Empty,
        Weight = weight,
        State = new EndpointState("c", address),
    };

    /// <summary><paramref name="count"/> endpoints 10.0.0.1:80, 10.0.0.2:80, ... of weight 1.</summary>
    public static ImmutableArray<EndpointSnapshot> Many(int count) =>
        [.. Enumerable.Range(1, count).Select(i => One($"10.0.{i / 250}.{(i % 250) + 1}:80"))];
}
