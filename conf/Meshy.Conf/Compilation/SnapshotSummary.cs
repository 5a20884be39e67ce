using Meshy.Engine.Runtime;

namespace Meshy.Conf.Compilation;

/// <summary>The one-line description of a snapshot used by <c>meshy validate</c> and load log lines.</summary>
public static class SnapshotSummary
{
    public static string Describe(ProxySnapshot snapshot)
    {
        int endpoints = snapshot.Clusters.Values.Sum(c => c.Endpoints.Length);
        return $"{Count(snapshot.Listeners.Length, "listener")}, {Count(snapshot.RouteTableCount, "route table")}, " +
               $"{Count(snapshot.Clusters.Count, "cluster")}, {Count(endpoints, "endpoint")}";
    }

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
