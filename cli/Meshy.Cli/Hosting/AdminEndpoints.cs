using System.Text;
using System.Text.Json;
using Meshy.Conf.Reload;
using Meshy.Engine.Admin;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.CircuitBreaking;
using Prometheus;

namespace Meshy.Cli.Hosting;

/// <summary>The admin routes of CONTRACT.md: /ready, /config, /clusters, /stats, /metrics and POST /reload.</summary>
internal static class AdminEndpoints
{
    public static IEnumerable<AdminRoute> Create(
        SnapshotHolder holder, ConfigReloader reloader, ProxyState state, ConnectionTracker? connections = null, CircuitBreakerRegistry? breakers = null)
    {
        yield return new AdminRoute("GET", "/ready", "200 once listeners are bound, 503 before and while draining",
            (_, _) => new(state.IsReady
                ? AdminResponse.Text(200, "ready\n")
                : AdminResponse.Text(503, state.IsDraining ? "draining\n" : "starting\n")));

        yield return new AdminRoute("GET", "/config", "the running configuration as JSON, with its source and load time",
            (_, _) => new(AdminResponse.Json(200, ConfigDocument(holder.Current))));

        yield return new AdminRoute("GET", "/clusters", "clusters and endpoints with health, ejection and request counts",
            (_, _) => new(AdminResponse.Json(200, ClustersDocument(holder.Current, breakers))));

        yield return new AdminRoute("GET", "/stats", "listeners, clusters and endpoints at a glance, as text tables",
            (_, _) => new(AdminResponse.Text(200, StatsTable.Render(holder.Current, connections, DateTime.UtcNow.Ticks))));

        yield return new AdminRoute("GET", "/metrics", "Prometheus metrics (Istio names and Meshy's own)",
            async (_, cancellationToken) =>
            {
                using var body = new MemoryStream();
                await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(body, cancellationToken).ConfigureAwait(false);
                return new AdminResponse(200, "text/plain; version=0.0.4; charset=utf-8", body.ToArray());
            });

        yield return new AdminRoute("POST", "/reload", "reload the config file now; 400 with every error when it is bad",
            async (_, cancellationToken) =>
            {
                ReloadOutcome outcome = await reloader.ReloadAsync("POST /reload", cancellationToken).ConfigureAwait(false);
                return outcome.Success
                    ? AdminResponse.Text(200, $"reloaded: {outcome.Summary}\n")
                    : AdminResponse.Text(400, string.Join('\n', outcome.Errors) + "\n");
            });
    }

    private static string ConfigDocument(ProxySnapshot snapshot)
    {
        var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("source", snapshot.Source);
            json.WriteString("loaded_at", snapshot.LoadedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WritePropertyName("config");
            json.WriteRawValue(snapshot.ConfigJson);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(output.ToArray());
    }

    private static string ClustersDocument(ProxySnapshot snapshot, CircuitBreakerRegistry? breakers)
    {
        var output = new MemoryStream();
        long now = DateTime.UtcNow.Ticks;
        using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("clusters");
            foreach (ClusterSnapshot cluster in snapshot.Clusters.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("name", cluster.Name);
                json.WriteBoolean("panic", cluster.Health?.Panic ?? false);
                json.WriteStartArray("endpoints");
                foreach (EndpointSnapshot endpoint in cluster.Endpoints)
                {
                    json.WriteStartObject();
                    json.WriteString("address", endpoint.Address);
                    json.WriteStartObject("labels");
                    foreach ((string key, string value) in endpoint.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
                    {
                        json.WriteString(key, value);
                    }
                    json.WriteEndObject();
                    json.WriteNumber("weight", endpoint.Weight);
                    json.WriteBoolean("healthy", endpoint.State.Healthy);
                    long ejectedUntil = endpoint.State.EjectedUntilTicks;
                    json.WriteBoolean("ejected", ejectedUntil > now);
                    if (ejectedUntil > now)
                    {
                        json.WriteString("ejected_until", new DateTime(ejectedUntil, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        json.WriteNull("ejected_until");
                    }
                    json.WriteNumber("times_ejected", endpoint.State.TimesEjected);
                    json.WriteNumber("ejection_multiplier", endpoint.State.EjectionMultiplier);
                    json.WriteNumber("consecutive_failures", endpoint.State.Consecutive5xx);
                    json.WriteNumber("consecutive_gateway_errors", endpoint.State.ConsecutiveGatewayErrors);
                    json.WriteNumber("active_requests", endpoint.State.ActiveRequests);
                    json.WriteNumber("total_requests", endpoint.State.TotalRequests);
                    json.WriteNumber("active_connections", endpoint.State.ActiveConnections);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                WriteCircuitBreaker(json, breakers?.Find(cluster.Name));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(output.ToArray());
    }

    /// <summary><c>circuit_breaker</c>: requests and retries in flight now, and overflows by limit since start (zeros before any traffic).</summary>
    private static void WriteCircuitBreaker(Utf8JsonWriter json, ClusterCircuitBreaker? breaker)
    {
        json.WriteStartObject("circuit_breaker");
        json.WriteNumber("requests_in_flight", breaker?.RequestsInFlight ?? 0);
        json.WriteNumber("retries_in_flight", breaker?.RetriesInFlight ?? 0);
        json.WriteStartObject("overflows");
        foreach (CircuitBreakerLimit limit in CircuitBreakerLimits.All)
        {
            json.WriteNumber(CircuitBreakerLimits.Name(limit), breaker?.Overflows(limit) ?? 0);
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
