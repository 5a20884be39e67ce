using System.Diagnostics.CodeAnalysis;

namespace Meshy.Filters.Http2.Hpack;

/// <summary>Constants and the error helper shared by the HPACK encoder and decoder (RFC 7541).</summary>
internal static class HpackFormat
{
    /// <summary>What an entry costs beyond its name and value bytes (§4.1).</summary>
    public const int EntryOverhead = 32;

    /// <summary>The dynamic table size both sides start with (RFC 9113 SETTINGS_HEADER_TABLE_SIZE default).</summary>
    public const int DefaultTableSize = 4096;

    /// <summary>The size of a field in the dynamic table and in a header list (§4.1; RFC 9113 §6.5.2).</summary>
    public static long FieldSize(int nameLength, int valueLength) => (long)nameLength + valueLength + EntryOverhead;

    /// <summary>
    /// A cheap fingerprint of a field name for the encoder's table lookups: its length and three of
    /// its bytes, no loop. Different keys mean different names; equal keys are confirmed by comparing.
    /// </summary>
    public static uint NameKey(ReadOnlySpan<byte> name) => name.IsEmpty
        ? 0
        : ((uint)name.Length << 24) | ((uint)name[0] << 16) | ((uint)name[name.Length >> 1] << 8) | name[^1];

    /// <summary>
    /// A decoding failure: a COMPRESSION_ERROR connection error (RFC 9113 §4.3): the decoder's state
    /// can no longer be trusted to match the peer's encoder.
    /// </summary>
    [DoesNotReturn]
    public static void Fail(string message) =>
        Http2ProtocolException.ThrowConnectionError(Http2ErrorCode.CompressionError, message);
}
