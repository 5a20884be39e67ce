using System.Collections.Immutable;
using System.Text;

namespace Meshy.Filters.Observability.AccessLog;

/// <summary>Maps <c>fields</c> names to <see cref="AccessLogField"/> and holds their pre-encoded JSON property prefixes.</summary>
internal static class AccessLogFields
{
    private static readonly (string Name, AccessLogField Field)[] Names =
    [
        ("time", AccessLogField.Time),
        ("listener", AccessLogField.Listener),
        ("protocol", AccessLogField.Protocol),
        ("method", AccessLogField.Method),
        ("authority", AccessLogField.Authority),
        ("path", AccessLogField.Path),
        ("route", AccessLogField.Route),
        ("rule", AccessLogField.Rule),
        ("cluster", AccessLogField.Cluster),
        ("subset", AccessLogField.Subset),
        ("endpoint", AccessLogField.Endpoint),
        ("status", AccessLogField.Status),
        ("response_flags", AccessLogField.ResponseFlags),
        ("bytes_received", AccessLogField.BytesReceived),
        ("bytes_sent", AccessLogField.BytesSent),
        ("duration", AccessLogField.Duration),
        ("request_id", AccessLogField.RequestId),
        ("downstream_address", AccessLogField.DownstreamAddress),
        ("user_agent", AccessLogField.UserAgent),
        ("upstream_time", AccessLogField.UpstreamTime),
        ("trace_id", AccessLogField.TraceId),
    ];

    // The names are lower-case ASCII letters and underscores: nothing to escape.
    private static readonly byte[][] Prefixes = [.. Names.OrderBy(n => n.Field).Select(n => Encoding.ASCII.GetBytes($",\"{n.Name}\":"))];

    /// <summary>
    /// <c>,"name":</c> for <paramref name="field"/>, UTF-8, encoded once: a line is its fields' prefixes and
    /// values, and its first comma becomes the opening brace.
    /// </summary>
    public static ReadOnlySpan<byte> JsonPrefix(AccessLogField field) => Prefixes[(int)field];

    /// <summary>The fields of a validated <c>fields</c> list, in its order (validation rejected unknown names).</summary>
    public static ImmutableArray<AccessLogField> Parse(IEnumerable<string> names) =>
        [.. names.Select(name => Names.First(n => n.Name == name).Field)];
}
