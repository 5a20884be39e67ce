using System.Collections.Immutable;
using System.Net;
using Meshy.Conf.Loading;
using Meshy.Conf.Schema;

namespace Meshy.Conf.Validation;

/// <summary>
/// Checks what no single table can: unique names and addresses, and that every name a listener or rule
/// refers to exists. Runs on the bound config; entries with a missing name (already reported) are skipped
/// so one mistake is reported once.
/// </summary>
internal static class ConfigValidator
{
    public static void Validate(MeshyConfig config, BindContext context)
    {
        _ = UniqueNames(context, config.Listeners.Select(l => l.Name), "listeners", "listener");
        Dictionary<string, int> routes = UniqueNames(context, config.Routes.Select(r => r.Name), "routes", "route table");
        Dictionary<string, int> clusters = UniqueNames(context, config.Clusters.Select(c => c.Name), "clusters", "cluster");
        CheckAddresses(config, context);
        for (int i = 0; i < config.Listeners.Length; i++)
        {
            CheckListenerReferences(config, context, i, routes, clusters);
        }
        for (int r = 0; r < config.Routes.Length; r++)
        {
            RouteTableConfig table = config.Routes[r];
            for (int u = 0; u < table.Rules.Length; u++)
            {
                CheckRuleReferences(config, context, $"routes[{r}].rules[{u}]", table.Rules[u], clusters);
            }
        }
    }

    private static Dictionary<string, int> UniqueNames(BindContext context, IEnumerable<string> names, string arrayKey, string what)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        int index = 0;
        foreach (string name in names)
        {
            if (name.Length > 0 && !first.TryAdd(name, index))
            {
                string path = $"{arrayKey}[{index}].name";
                int line = context.ValuePosition($"{arrayKey}[{first[name]}].name").Line;
                context.Error(context.ValuePosition(path), path, $"duplicate {what} name {Describe.Quote(name)} (first used at line {line})");
            }
            index++;
        }
        return first;
    }

    // Two sockets cannot bind the same port on overlapping addresses: the same IP, or a wildcard
    // (0.0.0.0, [::]) and anything else on that port. Port 0 always gets a fresh port.
    private static void CheckAddresses(MeshyConfig config, BindContext context)
    {
        var bound = new List<(ConfigAddress Address, string Owner)>();
        if (config.Admin.Address.Port != 0)
        {
            bound.Add((config.Admin.Address, "the admin endpoint"));
        }
        for (int i = 0; i < config.Listeners.Length; i++)
        {
            ListenerConfig listener = config.Listeners[i];
            ConfigAddress address = listener.Address;
            if (address == ConfigAddress.Unset || address.Port == 0)
            {
                continue;
            }
            string path = $"listeners[{i}].address";
            foreach ((ConfigAddress other, string owner) in bound)
            {
                if (other.Port != address.Port || !Overlaps(Ip(other), Ip(address)))
                {
                    continue;
                }
                string message = Ip(other).Equals(Ip(address))
                    ? $"{address.Text} is already used by {owner}"
                    : $"{address.Text} overlaps {owner} at {other.Text} (a wildcard address takes the port on every interface)";
                context.Error(context.ValuePosition(path), path, message);
                break;
            }
            bound.Add((address, listener.Name.Length > 0 ? $"listener {Describe.Quote(listener.Name)}" : $"listeners[{i}]"));
        }
    }

    private static IPAddress Ip(ConfigAddress address) => address.IPAddress ?? IPAddress.Loopback;

    private static bool Overlaps(IPAddress a, IPAddress b) =>
        a.Equals(b) || IsWildcard(a) || IsWildcard(b);

    private static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static void CheckListenerReferences(MeshyConfig config, BindContext context, int index, Dictionary<string, int> routes, Dictionary<string, int> clusters)
    {
        ListenerConfig listener = config.Listeners[index];
        string routesPath = $"listeners[{index}].routes";
        bool single = !context.Spans.ContainsKey($"{routesPath}[0]");
        var hostOwners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var listed = new HashSet<string>(StringComparer.Ordinal);
        for (int j = 0; j < listener.Routes.Length; j++)
        {
            string name = listener.Routes[j];
            string path = single ? routesPath : $"{routesPath}[{j}]";
            if (!listed.Add(name))
            {
                context.Error(context.ValuePosition(path), path, $"route table {Describe.Quote(name)} is listed twice");
                continue;
            }
            if (!routes.TryGetValue(name, out int table))
            {
                context.Error(context.ValuePosition(path), path, Unknown("route table", name, routes.Keys, "[[routes]]"));
                continue;
            }
            // Virtual hosts: one Host must lead to one table on a listener, or the choice would be arbitrary.
            foreach (string host in config.Routes[table].Hosts)
            {
                if (hostOwners.TryGetValue(host, out string? owner))
                {
                    context.Error(context.ValuePosition(path), path,
                        $"route tables {Describe.Quote(owner)} and {Describe.Quote(name)} both serve host {Describe.Quote(host)} on this listener");
                }
                else
                {
                    hostOwners[host] = name;
                }
            }
        }
        if (listener.Cluster is { } cluster && !clusters.ContainsKey(cluster))
        {
            string path = $"listeners[{index}].cluster";
            context.Error(context.ValuePosition(path), path, Unknown("cluster", cluster, clusters.Keys, "[[clusters]]"));
        }
    }

    private static void CheckRuleReferences(MeshyConfig config, BindContext context, string rulePath, RouteRuleConfig rule, Dictionary<string, int> clusters)
    {
        for (int k = 0; k < rule.To.Length; k++)
        {
            DestinationConfig to = rule.To[k];
            CheckClusterAndSubset(config, context, $"{rulePath}.to[{k}]", to.Cluster, to.Subset, clusters);
        }
        if (rule.Mirror is { } mirror)
        {
            CheckClusterAndSubset(config, context, $"{rulePath}.mirror", mirror.Cluster, mirror.Subset, clusters);
        }
    }

    private static void CheckClusterAndSubset(MeshyConfig config, BindContext context, string path, string cluster, string? subset, Dictionary<string, int> clusters)
    {
        if (cluster.Length == 0)
        {
            return;
        }
        if (!clusters.TryGetValue(cluster, out int index))
        {
            string clusterPath = path + ".cluster";
            context.Error(context.ValuePosition(clusterPath), clusterPath, Unknown("cluster", cluster, clusters.Keys, "[[clusters]]"));
            return;
        }
        ImmutableArray<SubsetConfig> subsets = config.Clusters[index].Subsets;
        if (subset is not null && !subsets.Any(s => s.Name == subset))
        {
            string subsetPath = path + ".subset";
            string[] names = [.. subsets.Select(s => s.Name)];
            string? suggestion = NameSuggester.Suggest(subset, names);
            string known = suggestion is not null
                ? $"did you mean {suggestion}?"
                : names.Length == 0 ? "it defines no subsets" : "its subsets: " + string.Join(", ", names);
            context.Error(context.ValuePosition(subsetPath), subsetPath, $"cluster {Describe.Quote(cluster)} has no subset {Describe.Quote(subset)} ({known})");
        }
    }

    private static string Unknown(string what, string name, IEnumerable<string> known, string table)
    {
        string[] names = [.. known];
        string? suggestion = NameSuggester.Suggest(name, names);
        string hint = suggestion is not null
            ? $"did you mean {suggestion}?"
            : names.Length == 0 ? $"no {table} are defined" : $"defined: {string.Join(", ", names)}";
        return $"unknown {what} {Describe.Quote(name)} ({hint})";
    }
}
