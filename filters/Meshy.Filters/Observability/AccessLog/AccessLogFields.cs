using System.Collections.Immutable;
using System.Text.Json;

namespace Meshy.Filters.Observability.AccessLog;

/// <summary>Maps <c>fields</c> names to <see cref="AccessLogField"/> and holds their pre-encoded JSON names.</summary>
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

    private static readonly JsonEncodedText[] EncodedNames = [.. Names.OrderBy(n => n.Field).Select(n => JsonEncodedText.Encode(n.Name))];

    /// <summary>The JSON property name of <paramref name="field"/>, encoded once.</summary>
    public static JsonEncodedText JsonName(AccessLogField field) => EncodedNames[(int)field];

    /// <summary>The fields of a validated <c>fields</c> list, in its order (validation rejected unknown names).</summary>
    public static ImmutableArray<AccessLogField> Parse(IEnumerable<string> names) =>
        [.. names.Select(name => Names.First(n => n.Name == name).Field)];
}
