using System.Security.Cryptography;

namespace Meshy.Engine.Http;

/// <summary>
/// Generates <c>x-request-id</c> values without allocating: a random 64-bit prefix chosen once per
/// process and a 64-bit counter, written as a UUID-shaped string of 36 bytes
/// (<c>xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx</c>). Unique within the process by the counter and across
/// processes with overwhelming probability by the prefix; not a secret.
/// </summary>
public static class HttpRequestIdGenerator
{
    /// <summary>The length of an id in bytes.</summary>
    public const int Length = 36;

    // The prefix fills the first three groups and their dashes; the counter the last two groups.
    private const int PrefixLength = 19;

    private static readonly byte[] PrefixText = FormatPrefix(BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)));
    private static long s_counter;

    /// <summary>Writes a new id into <paramref name="destination"/> (at least <see cref="Length"/> bytes); returns <see cref="Length"/>.</summary>
    public static int Write(Span<byte> destination)
    {
        ulong counter = (ulong)Interlocked.Increment(ref s_counter);
        destination = destination[..Length];
        PrefixText.CopyTo(destination);
        // xxxx-xxxxxxxxxxxx: the counter's 16 hex digits, the dash after its first four, written from the last digit back.
        for (int i = Length - 1; i > PrefixLength + 4; i--, counter >>= 4)
        {
            destination[i] = HexDigit(counter);
        }
        destination[PrefixLength + 4] = (byte)'-';
        for (int i = PrefixLength + 3; i >= PrefixLength; i--, counter >>= 4)
        {
            destination[i] = HexDigit(counter);
        }
        return Length;
    }

    private static byte HexDigit(ulong value) => "0123456789abcdef"u8[(int)(value & 0xf)];

    /// <summary>xxxxxxxx-xxxx-xxxx- for the prefix's 16 hex digits.</summary>
    private static byte[] FormatPrefix(ulong prefix)
    {
        var text = new byte[PrefixLength];
        int digit = 15;
        for (int i = 0; i < PrefixLength; i++)
        {
            text[i] = i is 8 or 13 or 18 ? (byte)'-' : HexDigit(prefix >> (4 * digit--));
        }
        return text;
    }
}
