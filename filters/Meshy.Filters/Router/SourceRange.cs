using System.Net;
using System.Net.Sockets;
using Meshy.Conf.Schema;

namespace Meshy.Filters.Router;

/// <summary>
/// A compiled <c>match.source</c> range: the network's bytes and prefix length, compared bit by bit
/// against the downstream peer's address written to the stack (no allocation, unlike
/// <see cref="IPAddress.MapToIPv4"/>). An IPv4-mapped IPv6 peer (<c>::ffff:10.0.0.1</c>, what a
/// dual-stack socket reports) matches IPv4 ranges.
/// </summary>
internal sealed class SourceRange
{
    private readonly byte[] _network;
    private readonly int _prefixLength;

    public SourceRange(CidrRange range)
    {
        _network = range.Network.GetAddressBytes();
        _prefixLength = range.PrefixLength;
        Text = range.Text;
    }

    /// <summary>The range as written.</summary>
    public string Text { get; }

    /// <summary>True when <paramref name="address"/> lies in the range.</summary>
    public bool Contains(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int length))
        {
            return false;
        }
        ReadOnlySpan<byte> candidate = bytes[..length];
        if (length == 16 && _network.Length == 4 && address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6)
        {
            candidate = bytes[12..16];
        }
        if (candidate.Length != _network.Length)
        {
            return false;
        }
        int fullBytes = _prefixLength / 8;
        if (!candidate[..fullBytes].SequenceEqual(_network.AsSpan(0, fullBytes)))
        {
            return false;
        }
        int remainingBits = _prefixLength % 8;
        if (remainingBits == 0)
        {
            return true;
        }
        int mask = (0xFF << (8 - remainingBits)) & 0xFF;
        return (candidate[fullBytes] & mask) == (_network[fullBytes] & mask);
    }
}
