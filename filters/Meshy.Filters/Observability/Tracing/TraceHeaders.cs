using Meshy.Engine.Http;

namespace Meshy.Filters.Observability.Tracing;

/// <summary>Reads the trace id of a request for the access log: W3C first, then B3 multi- and single-header.</summary>
internal static class TraceHeaders
{
    /// <summary>The trace id as sent (hex), or false when the request carries none that is valid.</summary>
    public static bool TryGetTraceId(HttpHeaderList headers, out ReadOnlySpan<byte> traceId)
    {
        if (headers.TryGetValue("traceparent"u8, out ReadOnlySpan<byte> parent) && TraceParent.IsValid(parent))
        {
            traceId = parent.Slice(TraceParent.TraceIdOffset, TraceParent.TraceIdLength);
            return true;
        }
        if (headers.TryGetValue("x-b3-traceid"u8, out ReadOnlySpan<byte> b3) && b3.Length is 16 or 32)
        {
            traceId = b3;
            return true;
        }
        // b3 single header: {TraceId}-{SpanId}-{SamplingState}-{ParentSpanId}; "0"/"1"/"d" alone carry no id.
        if (headers.TryGetValue("b3"u8, out ReadOnlySpan<byte> single))
        {
            int dash = single.IndexOf((byte)'-');
            if (dash is 16 or 32)
            {
                traceId = single[..dash];
                return true;
            }
        }
        traceId = default;
        return false;
    }
}
