using System.Collections.Frozen;
using Meshy.Engine.Upstream;

namespace Meshy.Filters.Observability.Metrics;

/// <summary>
/// Per-destination values (series sets) for every reporter × cluster × version a snapshot can produce,
/// built once per snapshot, so a request finds its series with two frozen lookups and no allocation.
/// A version is the subset's name, else the endpoint's <c>version</c> label, else <c>unknown</c>; a
/// request that reached no rule (404 <c>NR</c>, a parser rejection) reports <c>destination_service="unknown"</c>.
/// </summary>
internal sealed class DestinationTable<T>
    where T : class
{
    private readonly Reporter _inbound;
    private readonly Reporter _outbound;

    /// <summary>Builds the table for <paramref name="clusters"/>; <paramref name="create"/> gets the destination label values.</summary>
    public DestinationTable(IEnumerable<ClusterSnapshot> clusters, string protocol, Func<string[], T> create)
    {
        ClusterSnapshot[] all = [.. clusters];
        _inbound = new Reporter(all, outbound: false, protocol, create);
        _outbound = new Reporter(all, outbound: true, protocol, create);
    }

    /// <summary>The value for a destination; <c>unknown</c> entries for what the snapshot does not know.</summary>
    public T Find(bool outbound, string? cluster, SubsetSnapshot? subset, EndpointSnapshot? endpoint)
    {
        Reporter reporter = outbound ? _outbound : _inbound;
        if (cluster is null || !reporter.Clusters.TryGetValue(cluster, out Entry? entry))
        {
            return reporter.NoCluster;
        }
        string? version = VersionOf(subset, endpoint);
        return version is not null && entry.Versions.TryGetValue(version, out T? value) ? value : entry.Unknown;
    }

    /// <summary><c>destination_version</c>: the subset, else the endpoint's <c>version</c> label; null for unknown.</summary>
    public static string? VersionOf(SubsetSnapshot? subset, EndpointSnapshot? endpoint)
    {
        if (subset is not null)
        {
            return subset.Name;
        }
        return endpoint is not null && endpoint.Labels.TryGetValue("version", out string? version) ? version : null;
    }

    private sealed class Entry(FrozenDictionary<string, T> versions, T unknown)
    {
        public FrozenDictionary<string, T> Versions { get; } = versions;

        public T Unknown { get; } = unknown;
    }

    private sealed class Reporter
    {
        public Reporter(ClusterSnapshot[] clusters, bool outbound, string protocol, Func<string[], T> create)
        {
            var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
            foreach (ClusterSnapshot cluster in clusters)
            {
                var versions = new HashSet<string>(StringComparer.Ordinal);
                versions.UnionWith(cluster.Subsets.Keys);
                foreach (EndpointSnapshot endpoint in cluster.Endpoints)
                {
                    if (endpoint.Labels.TryGetValue("version", out string? version))
                    {
                        versions.Add(version);
                    }
                }
                versions.Remove(MetricLabels.Unknown);
                T unknown = create(MetricLabels.Prefix(outbound, cluster.Name, MetricLabels.Unknown, protocol));
                entries[cluster.Name] = new Entry(
                    versions.ToFrozenDictionary(v => v, v => create(MetricLabels.Prefix(outbound, cluster.Name, v, protocol)), StringComparer.Ordinal),
                    unknown);
            }
            Clusters = entries.ToFrozenDictionary(StringComparer.Ordinal);
            NoCluster = create(MetricLabels.Prefix(outbound, MetricLabels.Unknown, MetricLabels.Unknown, protocol));
        }

        public FrozenDictionary<string, Entry> Clusters { get; }

        public T NoCluster { get; }
    }
}
