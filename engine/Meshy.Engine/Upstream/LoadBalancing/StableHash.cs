namespace Meshy.Engine.Upstream.LoadBalancing;

/// <summary>
/// A 64-bit hash that is the same in every process and every release (unlike <see cref="HashCode"/>,
/// which is seeded per process): ring-hash positions and request keys must agree across restarts and
/// reloads. FNV-1a over the bytes, then MurmurHash3's fmix64 finalizer, because FNV-1a alone spreads
/// keys that differ only in their last bytes (<c>user-1</c>, <c>user-2</c>) poorly over the high bits
/// the ring is ordered by.
/// </summary>
public static class StableHash
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>The hash of <paramref name="bytes"/>.</summary>
    public static ulong Hash64(ReadOnlySpan<byte> bytes, ulong seed = 0)
    {
        ulong hash = FnvOffset ^ seed;
        foreach (byte b in bytes)
        {
            hash ^= b;
            hash *= FnvPrime;
        }
        return Mix(hash);
    }

    /// <summary>MurmurHash3's 64-bit finalizer: every input bit affects every output bit.</summary>
    public static ulong Mix(ulong value)
    {
        value ^= value >> 33;
        value *= 0xff51afd7ed558ccdUL;
        value ^= value >> 33;
        value *= 0xc4ceb9fe1a85ec53UL;
        value ^= value >> 33;
        return value;
    }
}
