using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;

namespace Meshy.Filters.Observability.Tracing;

/// <summary>
/// Trace propagation, as a sidecar that starts its own span: a valid <c>traceparent</c> goes upstream
/// with the same trace id and flags and a new parent (span) id, so the upstream's span is a child of
/// Meshy's. Everything else passes unchanged: <c>tracestate</c>, B3 (<c>x-b3-*</c>, <c>b3</c>), an
/// invalid <c>traceparent</c>. No span is exported (yet); the access log records the trace id.
/// </summary>
internal sealed class TraceContextFilter : IHttpFilter
{
    /// <summary>The one instance: the filter has no settings.</summary>
    public static TraceContextFilter Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask<FilterStatus> OnRequestHeadersAsync(HttpExchange exchange)
    {
        HttpHeaderList headers = exchange.Request.Headers;
        int index = headers.IndexOf("traceparent"u8);
        // One traceparent only: several are invalid (W3C §3.2), and are passed on untouched.
        if (index < 0 || headers.IndexOf("traceparent"u8, index + 1) >= 0)
        {
            return new(FilterStatus.Continue);
        }
        ReadOnlySpan<byte> value = headers.GetValue(index);
        if (value.Length > 256 || !TraceParent.IsValid(value))
        {
            return new(FilterStatus.Continue);
        }
        // Copied first: Set adds to the arena the old value lives in.
        Span<byte> updated = stackalloc byte[256];
        updated = updated[..value.Length];
        value.CopyTo(updated);
        TraceParent.WriteNewSpanId(updated.Slice(TraceParent.SpanIdOffset, TraceParent.SpanIdLength));
        headers.Set("traceparent"u8, updated);
        return new(FilterStatus.Continue);
    }
}
