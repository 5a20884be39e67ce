using System.Net;
using System.Text;
using Meshy.Conf.Schema;
using Meshy.Engine.Http;
using Meshy.Engine.Upstream.LoadBalancing;

namespace Meshy.Filters.Router;

/// <summary>
/// A ring-hash cluster's <c>hash_on</c>, compiled: computes the request's key for
/// <see cref="LoadBalancerContext.HashKey"/> from a header value (the first), a cookie value or the
/// downstream peer's address bytes. A request without the header or cookie has no key and goes to a
/// random point of the ring (CONTRACT: hash_on).
/// </summary>
internal sealed class RouteHashPolicy
{
    private readonly byte[] _name;

    public RouteHashPolicy(HashOnConfig config)
    {
        Config = config;
        _name = Encoding.ASCII.GetBytes(config.Name);
    }

    /// <summary>The policy as configured.</summary>
    public HashOnConfig Config { get; }

    /// <summary>The key of the request, or false when the request has none.</summary>
    public bool TryComputeHash(HttpRequestHead request, IPAddress? source, out ulong hash)
    {
        switch (Config.Kind)
        {
            case HashOnKind.Header when request.Headers.TryGetValue(_name, out ReadOnlySpan<byte> value):
                hash = StableHash.Hash64(value);
                return true;
            case HashOnKind.Cookie when TryFindCookie(request.Headers, _name, out ReadOnlySpan<byte> cookie):
                hash = StableHash.Hash64(cookie);
                return true;
            case HashOnKind.SourceIp when source is not null:
                Span<byte> bytes = stackalloc byte[16];
                source.TryWriteBytes(bytes, out int length);
                hash = StableHash.Hash64(bytes[..length]);
                return true;
            default:
                hash = 0;
                return false;
        }
    }

    /// <summary>The value of cookie <paramref name="name"/> in any <c>cookie</c> field (<c>a=1; b=2</c>, RFC 6265 §5.4).</summary>
    internal static bool TryFindCookie(HttpHeaderList headers, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        for (int index = headers.IndexOf("cookie"u8); index >= 0; index = headers.IndexOf("cookie"u8, index + 1))
        {
            ReadOnlySpan<byte> pairs = headers.GetValue(index);
            while (!pairs.IsEmpty)
            {
                int end = pairs.IndexOf((byte)';');
                ReadOnlySpan<byte> pair = (end < 0 ? pairs : pairs[..end]).Trim((byte)' ');
                pairs = end < 0 ? default : pairs[(end + 1)..];
                int equals = pair.IndexOf((byte)'=');
                if (equals > 0 && pair[..equals].SequenceEqual(name))
                {
                    value = pair[(equals + 1)..].Trim((byte)'"');
                    return true;
                }
            }
        }
        value = default;
        return false;
    }
}
