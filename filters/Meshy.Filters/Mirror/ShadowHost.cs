using System.Buffers;
using Meshy.Engine.Http;

namespace Meshy.Filters.Mirror;

/// <summary>
/// The Host of a mirrored copy: <c>-shadow</c> appended to the host part, the port kept
/// (<c>a:8080</c> → <c>a-shadow:8080</c>, <c>[::1]:8080</c> → <c>[::1]-shadow:8080</c>), as Envoy does, so
/// the mirror can tell copies from real traffic.
/// </summary>
internal static class ShadowHost
{
    private const int StackBytes = 256;

    private static ReadOnlySpan<byte> Suffix => "-shadow"u8;

    /// <summary>Rewrites <paramref name="request"/>'s authority to its shadow form.</summary>
    public static void Apply(HttpRequestHead request)
    {
        ReadOnlySpan<byte> authority = request.Authority;
        int length = authority.Length + Suffix.Length;
        byte[]? rented = null;
        // The authority lives in the head's arena, which SetAuthority may move: build the new one apart.
        Span<byte> buffer = length <= StackBytes ? stackalloc byte[StackBytes] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            int written = Write(authority, buffer);
            request.SetAuthority(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Writes the shadow form of <paramref name="authority"/> to <paramref name="destination"/>; returns its length.</summary>
    public static int Write(ReadOnlySpan<byte> authority, Span<byte> destination)
    {
        int hostEnd = HostEnd(authority);
        authority[..hostEnd].CopyTo(destination);
        Suffix.CopyTo(destination[hostEnd..]);
        authority[hostEnd..].CopyTo(destination[(hostEnd + Suffix.Length)..]);
        return authority.Length + Suffix.Length;
    }

    /// <summary>Where the host part ends: before <c>:port</c>, after the <c>]</c> of an IPv6 literal.</summary>
    private static int HostEnd(ReadOnlySpan<byte> authority)
    {
        if (authority.Length > 0 && authority[0] == (byte)'[')
        {
            int close = authority.IndexOf((byte)']');
            return close < 0 ? authority.Length : close + 1;
        }
        int colon = authority.LastIndexOf((byte)':');
        return colon < 0 ? authority.Length : colon;
    }
}
