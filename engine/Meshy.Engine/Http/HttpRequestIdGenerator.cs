using System.Buffers.Text;
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

    private static readonly ulong Prefix = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private static long s_counter;

    /// <summary>Writes a new id into <paramref name="destination"/> (at least <see cref="Length"/> bytes); returns <see cref="Length"/>.</summary>
    public static int Write(Span<byte> destination)
    {
        ulong counter = (ulong)Interlocked.Increment(ref s_counter);
        Span<byte> hex = stackalloc byte[32];
        Utf8Formatter.TryFormat(Prefix, hex, out _, new System.Buffers.StandardFormat('x', 16));
        Utf8Formatter.TryFormat(counter, hex[16..], out _, new System.Buffers.StandardFormat('x', 16));
        // 8-4-4-4-12
        hex[..8].CopyTo(destination);
        destination[8] = (byte)'-';
        hex[8..12].CopyTo(destination[9..]);
        destination[13] = (byte)'-';
        hex[12..16].CopyTo(destination[14..]);
        destination[18] = (byte)'-';
        hex[16..20].CopyTo(destination[19..]);
        destination[23] = (byte)'-';
        hex[20..32].CopyTo(destination[24..]);
        return Length;
    }
}
