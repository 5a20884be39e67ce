namespace Meshy.Filters.Http2.Hpack;

/// <summary>
/// HPACK's prefixed integers (RFC 7541 §5.1): a value below 2^N-1 fits the N-bit prefix of the
/// first byte; a larger one fills the prefix and continues 7 bits per byte, least significant first,
/// the high bit of each byte saying another follows.
/// <code>
///     0   1   2   3   4   5   6   7
///   +---+---+---+---+---+---+---+---+
///   | ? | ? | ? | 1   1   1   1   1 |     prefix full (N = 5 here)
///   +---+---+---+-------------------+
///   | 1 |    Value-(2^N-1) LSB      |
///   +---+---------------------------+
///   | 0 |    Value-(2^N-1) MSB      |
///   +---+---------------------------+
/// </code>
/// </summary>
internal static class HpackInteger
{
    /// <summary>The most bytes an encoded 31-bit integer takes (prefix byte and five continuation bytes).</summary>
    public const int MaxLength = 6;

    /// <summary>
    /// Decodes an integer with a <paramref name="prefixBits"/>-bit prefix from <paramref name="source"/>
    /// at <paramref name="offset"/>, advancing it. Throws COMPRESSION_ERROR when the block ends inside
    /// the integer or the value exceeds 2^31-1 (no length or index in Meshy comes near that).
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> source, ref int offset, int prefixBits)
    {
        int prefixMax = (1 << prefixBits) - 1;
        int value = source[offset++] & prefixMax;
        if (value < prefixMax)
        {
            return value;
        }
        long total = value;
        for (int shift = 0; ; shift += 7)
        {
            if (offset >= source.Length)
            {
                HpackFormat.Fail("integer truncated at the end of the field block");
            }
            byte next = source[offset++];
            total += (long)(next & 0x7f) << shift;
            if (total > int.MaxValue)
            {
                HpackFormat.Fail("integer above 2^31-1");
            }
            if ((next & 0x80) == 0)
            {
                return (int)total;
            }
            if (shift >= 28)
            {
                HpackFormat.Fail("integer above 2^31-1");       // more bytes could only add to it, or be zero padding
            }
        }
    }

    /// <summary>
    /// Encodes <paramref name="value"/> (≥ 0) with a <paramref name="prefixBits"/>-bit prefix, the bits
    /// above the prefix taken from <paramref name="firstByteFlags"/>; returns the bytes written
    /// (<paramref name="destination"/> has room for <see cref="MaxLength"/>).
    /// </summary>
    public static int Encode(Span<byte> destination, int value, int prefixBits, byte firstByteFlags)
    {
        int prefixMax = (1 << prefixBits) - 1;
        if (value < prefixMax)
        {
            destination[0] = (byte)(firstByteFlags | value);
            return 1;
        }
        destination[0] = (byte)(firstByteFlags | prefixMax);
        uint rest = (uint)(value - prefixMax);
        int written = 1;
        while (rest >= 0x80)
        {
            destination[written++] = (byte)(rest | 0x80);
            rest >>= 7;
        }
        destination[written++] = (byte)rest;
        return written;
    }
}
