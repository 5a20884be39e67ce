using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.LoadBalancing;
using Meshy.Filters.TcpProxy;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshy.Testing;

/// <summary>Builds snapshots by hand (no TOML): listeners, clusters with round-robin balancers, TCP proxies.</summary>
public static class TestSnapshots
{
    /// <summary>127.0.0.1 port 0: the kernel picks the port.</summary>
    public static IPEndPoint AnyLoopbackPort => new(IPAddress.Loopback, 0);

    /// <summary>An endpoint of <paramref name="cluster"/> with fresh state (or the registry's).</summary>
    public static EndpointSnapshot Endpoint(string cluster, EndPoint endPoint, int weight = 1, EndpointRegistry? registry = null)
    {
        string address = endPoint.ToString()!;
        return new EndpointSnapshot
        {
            Address = address,
            EndPoint = endPoint,
            Labels = FrozenDictionary<string, string>.Empty,
            Weight = weight,
            State = registry?.GetOrCreate(cluster, address) ?? new EndpointState(cluster, address),
        };
    }

    /// <summary>A cluster over <paramref name="endpoints"/> with weighted round robin.</summary>
    public static ClusterSnapshot Cluster(string name, TimeSpan connectTimeout, params EndpointSnapshot[] endpoints)
    {
        ImmutableArray<EndpointSnapshot> all = [.. endpoints];
        return new ClusterSnapshot
        {
            Name = name,
            Endpoints = all,
            Subsets = FrozenDictionary<string, SubsetSnapshot>.Empty,
            ConnectTimeout = connectTimeout,
            LoadBalancer = new WeightedRoundRobinBalancer(all),
        };
    }

    /// <summary>A cluster named <paramref name="name"/> with one weight-1 endpoint per address and a 1 s connect timeout.</summary>
    public static ClusterSnapshot Cluster(string name, params EndPoint[] endPoints) =>
        Cluster(name, TimeSpan.FromSeconds(1), [.. endPoints.Select(endPoint => Endpoint(name, endPoint))]);

    /// <summary>A listener running <paramref name="filters"/> in order.</summary>
    public static ListenerSnapshot Listener(string name, IPEndPoint endPoint, params INetworkFilter[] filters) => new()
    {
        Name = name,
        EndPoint = endPoint,
        Protocol = ListenerProtocol.Tcp,
        NetworkFilters = [.. filters],
    };

    /// <summary>A snapshot of <paramref name="listeners"/> and <paramref name="clusters"/>.</summary>
    public static ProxySnapshot Snapshot(
        IEnumerable<ListenerSnapshot> listeners,
        IEnumerable<ClusterSnapshot>? clusters = null,
        RuntimeSettings? runtime = null) => new()
    {
        Source = "(test)",
        LoadedAt = DateTimeOffset.UtcNow,
        Runtime = runtime ?? new RuntimeSettings(),
        Listeners = [.. listeners],
        Clusters = (clusters ?? []).ToFrozenDictionary(cluster => cluster.Name, StringComparer.Ordinal),
        ConfigJson = "{}",
    };

    /// <summary>
    /// One TCP listener <c>tcp</c> (at <paramref name="listen"/>, default 127.0.0.1:0) proxying to
    /// <paramref name="cluster"/> through a <c>TcpProxyFilter</c>.
    /// </summary>
    public static ProxySnapshot TcpProxy(
        ClusterSnapshot cluster,
        UpstreamConnector connector,
        IPEndPoint? listen = null,
        RuntimeSettings? runtime = null,
        string listenerName = "tcp")
    {
        var filter = new TcpProxyFilter(cluster, connector, NullLogger.Instance);
        return Snapshot([Listener(listenerName, listen ?? AnyLoopbackPort, filter)], [cluster], runtime);
    }
}
