using System.Globalization;
using System.Text;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;

namespace Meshy.Cli.Hosting;

/// <summary>
/// Admin <c>/stats</c>: the proxy at a glance as aligned plain-text tables, for people (scripts read
/// <c>/metrics</c> and <c>/clusters</c>): listeners with their connections, then every endpoint of every
/// cluster with health, ejection (now and how often), requests and pooled connections.
/// </summary>
internal static class StatsTable
{
    /// <summary>The tables for <paramref name="snapshot"/>; listener counts from <paramref name="connections"/> when known.</summary>
    public static string Render(ProxySnapshot snapshot, ConnectionTracker? connections, long nowTicks)
    {
        var text = new StringBuilder();
        text.Append("loaded ").Append(snapshot.LoadedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))
            .Append(" from ").Append(snapshot.Source).Append("\n\n");

        var listeners = new List<string[]> { new[] { "LISTENER", "ADDRESS", "PROTOCOL", "ACTIVE", "ACCEPTED", "REJECTED" } };
        foreach (ListenerSnapshot listener in snapshot.Listeners)
        {
            ListenerConnectionCounter? counter = connections?.Listeners.FirstOrDefault(c => c.Listener == listener.Name);
            listeners.Add(
            [
                listener.Name, listener.EndPoint.ToString(), listener.Protocol.ToString().ToLowerInvariant(),
                Number(counter?.Active), Number(counter?.Accepted), Number(counter?.Rejected),
            ]);
        }
        Append(text, listeners);
        text.Append('\n');

        var endpoints = new List<string[]> { new[] { "CLUSTER", "ENDPOINT", "VERSION", "HEALTHY", "EJECTED", "EJECTIONS", "ACTIVE_RQ", "TOTAL_RQ", "CONNECTIONS" } };
        foreach (ClusterSnapshot cluster in snapshot.Clusters.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            foreach (EndpointSnapshot endpoint in cluster.Endpoints)
            {
                EndpointState state = endpoint.State;
                endpoints.Add(
                [
                    cluster.Name, endpoint.Address, endpoint.Labels.GetValueOrDefault("version") ?? "-",
                    state.Healthy ? "yes" : "no", state.EjectedUntilTicks > nowTicks ? "yes" : "no", Number(state.TimesEjected),
                    Number(state.ActiveRequests), Number(state.TotalRequests), Number(state.ActiveConnections),
                ]);
            }
        }
        Append(text, endpoints);
        return text.ToString();
    }

    private static string Number(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "-";

    private static void Append(StringBuilder text, List<string[]> rows)
    {
        int[] widths = new int[rows[0].Length];
        foreach (string[] row in rows)
        {
            for (int i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }
        foreach (string[] row in rows)
        {
            for (int i = 0; i < row.Length; i++)
            {
                text.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }
            text.Append('\n');
        }
    }
}
