namespace Meshy.Filters.Observability.Metrics;

/// <summary>Label names and the constant values Meshy reports for labels it has no source for yet.</summary>
internal static class MetricLabels
{
    /// <summary>Workloads, namespaces and versions Meshy cannot name (no control plane): Istio's own placeholder.</summary>
    public const string Unknown = "unknown";

    /// <summary><c>reporter</c> of a listener that serves its own workload's clients (outbound, <c>original_destination</c>).</summary>
    public const string ReporterSource = "source";

    /// <summary><c>reporter</c> of every other listener: it fronts the destination (inbound, gateway-like).</summary>
    public const string ReporterDestination = "destination";

    /// <summary><c>connection_security_policy</c>: Meshy does not terminate mTLS.</summary>
    public const string SecurityNone = "none";

    /// <summary>The labels every Istio series of a destination carries, in this order (see <see cref="Prefix"/>).</summary>
    public static readonly string[] Destination =
    [
        "reporter", "source_workload", "destination_workload", "destination_service", "destination_service_name",
        "destination_version", "request_protocol", "connection_security_policy",
    ];

    /// <summary>HTTP series: the destination labels, then the outcome.</summary>
    public static readonly string[] Http = [.. Destination, "response_code", "grpc_response_status", "response_flags"];

    /// <summary><c>istio_tcp_connections_closed_total</c>: the destination labels and how the session ended.</summary>
    public static readonly string[] TcpClosed = [.. Destination, "response_flags"];

    /// <summary>Values for <see cref="Destination"/>.</summary>
    public static string[] Prefix(bool outbound, string service, string version, string protocol) =>
    [
        outbound ? ReporterSource : ReporterDestination, Unknown, Unknown, service, service, version, protocol, SecurityNone,
    ];

    private static readonly string[] StatusCodes = CreateStatusCodes();

    /// <summary>The status as a label value; cached for 0–999 so a request formats nothing.</summary>
    public static string StatusCode(int status) =>
        (uint)status < (uint)StatusCodes.Length ? StatusCodes[status] : status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string[] CreateStatusCodes()
    {
        var codes = new string[1000];
        for (int i = 0; i < codes.Length; i++)
        {
            codes[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return codes;
    }
}
