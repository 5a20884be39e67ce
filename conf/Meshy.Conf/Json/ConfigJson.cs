using System.Collections.Immutable;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Meshy.Conf.Schema;
using Meshy.Engine.Runtime;
using Meshy.Engine.Upstream;

namespace Meshy.Conf.Json;

/// <summary>
/// The running configuration as JSON for admin <c>/config</c>: the TOML key names (snake_case), every
/// default filled in, durations as config strings (<c>"1s"</c>), addresses as written, optional tables
/// left out when absent. Reading it shows exactly what Meshy runs with.
/// </summary>
public static class ConfigJson
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        // Regexes and header values are shown as written ('<', '+', '&' unescaped); /config is not HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Serializes <paramref name="config"/> as indented JSON.</summary>
    public static string Serialize(MeshyConfig config)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            Write(writer, config);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Writes <paramref name="config"/> as one JSON object (for embedding in a larger document).</summary>
    public static void Write(Utf8JsonWriter writer, MeshyConfig config)
    {
        writer.WriteStartObject();

        writer.WriteStartObject("admin");
        writer.WriteString("address", config.Admin.Address.Text);
        writer.WriteEndObject();

        writer.WriteStartObject("runtime");
        writer.WriteString("drain_timeout", ConfigDuration.Format(config.Runtime.DrainTimeout));
        writer.WriteNumber("max_connections", config.Runtime.MaxConnections);
        writer.WriteEndObject();

        writer.WriteStartObject("access_log");
        writer.WriteBoolean("enabled", config.AccessLog.Enabled);
        writer.WriteString("path", config.AccessLog.Path);
        WriteStrings(writer, "fields", config.AccessLog.Fields);
        writer.WriteEndObject();

        writer.WriteStartArray("listeners");
        foreach (ListenerConfig listener in config.Listeners)
        {
            WriteListener(writer, listener);
        }
        writer.WriteEndArray();

        writer.WriteStartArray("routes");
        foreach (RouteTableConfig table in config.Routes)
        {
            WriteRouteTable(writer, table);
        }
        writer.WriteEndArray();

        writer.WriteStartArray("clusters");
        foreach (ClusterConfig cluster in config.Clusters)
        {
            WriteCluster(writer, cluster);
        }
        writer.WriteEndArray();

        writer.WriteEndObject();
    }

    private static void WriteListener(Utf8JsonWriter writer, ListenerConfig listener)
    {
        writer.WriteStartObject();
        writer.WriteString("name", listener.Name);
        writer.WriteString("address", listener.Address.Text);
        writer.WriteString("protocol", listener.Protocol switch
        {
            ListenerProtocol.Tcp => "tcp",
            ListenerProtocol.Auto => "auto",
            _ => "http",
        });
        WriteStrings(writer, "routes", listener.Routes);
        if (listener.Cluster is not null)
        {
            writer.WriteString("cluster", listener.Cluster);
        }
        writer.WriteBoolean("original_destination", listener.OriginalDestination);
        writer.WriteNumber("max_request_line", listener.MaxRequestLine);
        writer.WriteNumber("max_header_bytes", listener.MaxHeaderBytes);
        writer.WriteNumber("max_header_count", listener.MaxHeaderCount);
        WriteDuration(writer, "request_header_timeout", listener.RequestHeaderTimeout);
        WriteDuration(writer, "idle_timeout", listener.IdleTimeout);
        if (listener.Protocol == ListenerProtocol.Auto)
        {
            WriteDuration(writer, "protocol_detection_timeout", listener.ProtocolDetectionTimeout);
        }
        writer.WriteStartObject("http2");
        writer.WriteNumber("max_concurrent_streams", listener.Http2.MaxConcurrentStreams);
        writer.WriteNumber("initial_stream_window", listener.Http2.InitialStreamWindow);
        writer.WriteNumber("connection_window", listener.Http2.ConnectionWindow);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteRouteTable(Utf8JsonWriter writer, RouteTableConfig table)
    {
        writer.WriteStartObject();
        writer.WriteString("name", table.Name);
        WriteStrings(writer, "hosts", table.Hosts);
        writer.WriteStartArray("rules");
        foreach (RouteRuleConfig rule in table.Rules)
        {
            WriteRule(writer, rule);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteRule(Utf8JsonWriter writer, RouteRuleConfig rule)
    {
        writer.WriteStartObject();
        if (rule.Name is not null)
        {
            writer.WriteString("name", rule.Name);
        }
        writer.WriteStartArray("match");
        foreach (RouteMatchConfig match in rule.Match)
        {
            WriteMatch(writer, match);
        }
        writer.WriteEndArray();
        if (rule.Timeout is { } timeout)
        {
            WriteDuration(writer, "timeout", timeout);
        }
        if (rule.Retries is { } retries)
        {
            writer.WriteStartObject("retries");
            writer.WriteNumber("attempts", retries.Attempts);
            if (retries.PerTryTimeout is { } perTry)
            {
                WriteDuration(writer, "per_try_timeout", perTry);
            }
            WriteStrings(writer, "on", RetryConditionNames(retries));
            writer.WriteBoolean("non_idempotent", retries.NonIdempotent);
            writer.WriteEndObject();
        }
        if (rule.Fault is { } fault)
        {
            writer.WriteStartObject("fault");
            if (fault.Delay is { } delay)
            {
                writer.WriteStartObject("delay");
                writer.WriteNumber("percent", delay.Percent);
                WriteDuration(writer, "fixed", delay.Fixed);
                writer.WriteEndObject();
            }
            if (fault.Abort is { } abort)
            {
                writer.WriteStartObject("abort");
                writer.WriteNumber("percent", abort.Percent);
                writer.WriteNumber("status", abort.Status);
                if (abort.GrpcStatus is { } grpc)
                {
                    writer.WriteNumber("grpc_status", grpc);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        if (rule.Mirror is { } mirror)
        {
            writer.WriteStartObject("mirror");
            writer.WriteString("cluster", mirror.Cluster);
            if (mirror.Subset is not null)
            {
                writer.WriteString("subset", mirror.Subset);
            }
            writer.WriteNumber("percent", mirror.Percent);
            writer.WriteEndObject();
        }
        if (!rule.Headers.Request.IsEmpty || !rule.Headers.Response.IsEmpty)
        {
            writer.WriteStartObject("headers");
            WriteHeaderMutation(writer, "request", rule.Headers.Request);
            WriteHeaderMutation(writer, "response", rule.Headers.Response);
            writer.WriteEndObject();
        }
        if (rule.Rewrite is { } rewrite)
        {
            writer.WriteStartObject("rewrite");
            WriteOptional(writer, "prefix", rewrite.Prefix);
            WriteOptional(writer, "host", rewrite.Host);
            writer.WriteEndObject();
        }
        if (rule.Redirect is { } redirect)
        {
            writer.WriteStartObject("redirect");
            WriteOptional(writer, "scheme", redirect.Scheme);
            WriteOptional(writer, "host", redirect.Host);
            if (redirect.Port is { } port)
            {
                writer.WriteNumber("port", port);
            }
            WriteOptional(writer, "path", redirect.Path);
            WriteOptional(writer, "prefix", redirect.Prefix);
            writer.WriteNumber("status", redirect.Status);
            writer.WriteEndObject();
        }
        if (rule.Respond is { } respond)
        {
            writer.WriteStartObject("respond");
            writer.WriteNumber("status", respond.Status);
            WriteOptional(writer, "body", respond.Body);
            WritePairs(writer, "headers", respond.Headers);
            writer.WriteEndObject();
        }
        if (!rule.To.IsEmpty)
        {
            writer.WriteStartArray("to");
            foreach (DestinationConfig to in rule.To)
            {
                writer.WriteStartObject();
                writer.WriteString("cluster", to.Cluster);
                if (to.Subset is not null)
                {
                    writer.WriteString("subset", to.Subset);
                }
                writer.WriteNumber("weight", to.Weight);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    private static void WriteMatch(Utf8JsonWriter writer, RouteMatchConfig match)
    {
        writer.WriteStartObject();
        if (match.Path is { } path)
        {
            writer.WriteStartObject("path");
            writer.WriteString(KindKey(path.Kind), path.Value);
            writer.WriteEndObject();
        }
        if (!match.Headers.IsEmpty)
        {
            writer.WriteStartObject("headers");
            foreach (HeaderMatchConfig header in match.Headers)
            {
                WriteNamedMatch(writer, header.Name, header.Kind, header.Value);
            }
            writer.WriteEndObject();
        }
        if (!match.Query.IsEmpty)
        {
            writer.WriteStartObject("query");
            foreach (QueryMatchConfig query in match.Query)
            {
                WriteNamedMatch(writer, query.Name, query.Kind, query.Value);
            }
            writer.WriteEndObject();
        }
        if (!match.Methods.IsEmpty)
        {
            WriteStrings(writer, "method", match.Methods);
        }
        if (!match.Sources.IsEmpty)
        {
            WriteStrings(writer, "source", [.. match.Sources.Select(s => s.Text)]);
        }
        writer.WriteEndObject();
    }

    private static void WriteNamedMatch(Utf8JsonWriter writer, string name, StringMatchKind kind, string value)
    {
        writer.WriteStartObject(name);
        switch (kind)
        {
            case StringMatchKind.Present:
                writer.WriteBoolean("present", true);
                break;
            case StringMatchKind.Absent:
                writer.WriteBoolean("present", false);
                break;
            default:
                writer.WriteString(KindKey(kind), value);
                break;
        }
        writer.WriteEndObject();
    }

    private static string KindKey(StringMatchKind kind) => kind switch
    {
        StringMatchKind.Exact => "exact",
        StringMatchKind.Prefix => "prefix",
        StringMatchKind.Regex => "regex",
        _ => "present",
    };

    private static ImmutableArray<string> RetryConditionNames(RetriesConfig retries)
    {
        var names = ImmutableArray.CreateBuilder<string>();
        (RetryOn Flag, string Name)[] conditions =
        [
            (RetryOn.ConnectFailure, "connect-failure"),
            (RetryOn.RefusedStream, "refused-stream"),
            (RetryOn.Reset, "reset"),
            (RetryOn.Status5xx, "5xx"),
            (RetryOn.GatewayError, "gateway-error"),
            (RetryOn.Retriable4xx, "retriable-4xx"),
        ];
        foreach ((RetryOn flag, string name) in conditions)
        {
            if ((retries.On & flag) != 0)
            {
                names.Add(name);
            }
        }
        foreach (int status in retries.StatusCodes)
        {
            names.Add(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return names.ToImmutable();
    }

    private static void WriteHeaderMutation(Utf8JsonWriter writer, string name, HeaderMutationConfig mutation)
    {
        if (mutation.IsEmpty)
        {
            return;
        }
        writer.WriteStartObject(name);
        if (!mutation.Set.IsEmpty)
        {
            WritePairs(writer, "set", mutation.Set);
        }
        if (!mutation.Add.IsEmpty)
        {
            WritePairs(writer, "add", mutation.Add);
        }
        if (!mutation.Remove.IsEmpty)
        {
            WriteStrings(writer, "remove", mutation.Remove);
        }
        writer.WriteEndObject();
    }

    private static void WriteCluster(Utf8JsonWriter writer, ClusterConfig cluster)
    {
        writer.WriteStartObject();
        writer.WriteString("name", cluster.Name);
        writer.WriteString("lb", cluster.Lb switch
        {
            LoadBalancerPolicy.LeastRequest => "least_request",
            LoadBalancerPolicy.Random => "random",
            LoadBalancerPolicy.RingHash => "ring_hash",
            _ => "round_robin",
        });
        if (cluster.HashOn is { } hashOn)
        {
            writer.WriteString("hash_on", hashOn.Text);
        }
        writer.WriteString("protocol", cluster.Protocol == UpstreamProtocol.Http2 ? "http2" : "http1");
        WriteDuration(writer, "connect_timeout", cluster.ConnectTimeout);
        WriteDuration(writer, "read_timeout", cluster.ReadTimeout);
        WriteDuration(writer, "idle_timeout", cluster.IdleTimeout);
        writer.WriteNumber("max_idle_per_endpoint", cluster.MaxIdlePerEndpoint);

        writer.WriteStartArray("endpoints");
        foreach (EndpointConfig endpoint in cluster.Endpoints)
        {
            writer.WriteStartObject();
            writer.WriteString("address", endpoint.Address.Text);
            WriteLabels(writer, endpoint.Labels);
            writer.WriteNumber("weight", endpoint.Weight);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();

        writer.WriteStartArray("subsets");
        foreach (SubsetConfig subset in cluster.Subsets)
        {
            writer.WriteStartObject();
            writer.WriteString("name", subset.Name);
            WriteLabels(writer, subset.Labels);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();

        writer.WriteStartObject("limits");
        writer.WriteNumber("max_connections", cluster.Limits.MaxConnections);
        writer.WriteNumber("max_pending_requests", cluster.Limits.MaxPendingRequests);
        writer.WriteNumber("max_requests", cluster.Limits.MaxRequests);
        writer.WriteNumber("max_retries", cluster.Limits.MaxRetries);
        writer.WriteEndObject();

        if (cluster.OutlierDetection is { } outlier)
        {
            writer.WriteStartObject("outlier_detection");
            writer.WriteNumber("consecutive_5xx", outlier.Consecutive5xx);
            writer.WriteNumber("consecutive_gateway_errors", outlier.ConsecutiveGatewayErrors);
            WriteDuration(writer, "interval", outlier.Interval);
            WriteDuration(writer, "base_ejection_time", outlier.BaseEjectionTime);
            writer.WriteNumber("max_ejection_percent", outlier.MaxEjectionPercent);
            writer.WriteEndObject();
        }
        if (cluster.HealthCheck is { } health)
        {
            writer.WriteStartObject("health_check");
            writer.WriteString("path", health.Path);
            WriteDuration(writer, "interval", health.Interval);
            WriteDuration(writer, "timeout", health.Timeout);
            writer.WriteNumber("unhealthy_threshold", health.UnhealthyThreshold);
            writer.WriteNumber("healthy_threshold", health.HealthyThreshold);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    // Labels are a dictionary; sort them so the output is stable from one reload to the next.
    private static void WriteLabels(Utf8JsonWriter writer, ImmutableDictionary<string, string> labels)
    {
        writer.WriteStartObject("labels");
        foreach ((string key, string value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, value);
        }
        writer.WriteEndObject();
    }

    private static void WritePairs(Utf8JsonWriter writer, string name, ImmutableArray<KeyValuePair<string, string>> pairs)
    {
        writer.WriteStartObject(name);
        foreach ((string key, string value) in pairs)
        {
            writer.WriteString(key, value);
        }
        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, ImmutableArray<string> values)
    {
        writer.WriteStartArray(name);
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteDuration(Utf8JsonWriter writer, string name, TimeSpan value) =>
        writer.WriteString(name, ConfigDuration.Format(value));
}
