using System.Buffers.Binary;
using System.Buffers.Text;

namespace Meshy.Filters.Observability.Tracing;

/// <summary>
/// W3C Trace Context <c>traceparent</c> (https://www.w3.org/TR/trace-context/ §3.2):
/// <code>
///   00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
///   ^^ ^------------trace-id---------^ ^--parent-id---^ ^^ flags
///   0  3                               36               53      (offsets; 55 bytes for version 00)
/// </code>
/// </summary>
internal static class TraceParent
{
    /// <summary>The length of a version-00 value.</summary>
    public const int Length = 55;

    /// <summary>Where the trace id starts and its length in hex digits.</summary>
    public const int TraceIdOffset = 3;

    /// <summary>Hex digits of the trace id.</summary>
    public const int TraceIdLength = 32;

    /// <summary>Where the parent (span) id starts.</summary>
    public const int SpanIdOffset = 36;

    /// <summary>Hex digits of a span id.</summary>
    public const int SpanIdLength = 16;

    /// <summary>
    /// True for a value a vendor must honour: lowercase hex fields at their places, version not <c>ff</c>,
    /// exactly 55 bytes for version 00 (later versions may append fields after a dash), trace and parent
    /// ids not all zeros.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> value)
    {
        if (value.Length < Length || value[2] != '-' || value[35] != '-' || value[52] != '-')
        {
            return false;
        }
        ReadOnlySpan<byte> version = value[..2];
        if (!IsLowerHex(version) || version.SequenceEqual("ff"u8) || (version.SequenceEqual("00"u8) && value.Length != Length))
        {
            return false;
        }
        if (value.Length > Length && value[Length] != '-')
        {
            return false;
        }
        ReadOnlySpan<byte> traceId = value.Slice(TraceIdOffset, TraceIdLength);
        ReadOnlySpan<byte> spanId = value.Slice(SpanIdOffset, SpanIdLength);
        return IsLowerHex(traceId) && IsLowerHex(spanId) && IsLowerHex(value.Slice(53, 2))
            && traceId.IndexOfAnyExcept((byte)'0') >= 0 && spanId.IndexOfAnyExcept((byte)'0') >= 0;
    }

    /// <summary>Writes a new random span id (8 bytes, 16 lowercase hex digits, never all zeros).</summary>
    public static void WriteNewSpanId(Span<byte> destination)
    {
        ulong id;
        Span<byte> random = stackalloc byte[8];
        do
        {
            Random.Shared.NextBytes(random);
            id = BinaryPrimitives.ReadUInt64LittleEndian(random);
        }
        while (id == 0);
        Utf8Formatter.TryFormat(id, destination[..SpanIdLength], out _, new System.Buffers.StandardFormat('x', SpanIdLength));
    }

    private static bool IsLowerHex(ReadOnlySpan<byte> text)
    {
        foreach (byte b in text)
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                return false;
            }
        }
        return true;
    }
}
