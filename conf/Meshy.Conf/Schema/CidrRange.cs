using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Meshy.Conf.Schema;

/// <summary>An IP range in CIDR notation (<c>10.0.0.0/8</c>, <c>fd00::/8</c>), as used by <c>match.source</c>.</summary>
public sealed record CidrRange
{
    private CidrRange(IPAddress network, int prefixLength, string text)
    {
        Network = network;
        PrefixLength = prefixLength;
        Text = text;
    }

    /// <summary>The network address with host bits cleared.</summary>
    public IPAddress Network { get; }

    /// <summary>Number of leading bits that must match: 0–32 for IPv4, 0–128 for IPv6.</summary>
    public int PrefixLength { get; }

    /// <summary>The range exactly as written.</summary>
    public string Text { get; }

    /// <summary>
    /// True when <paramref name="address"/> lies in this range. IPv4-mapped IPv6 addresses
    /// (<c>::ffff:10.0.0.1</c>, what a dual-stack socket reports) match IPv4 ranges.
    /// </summary>
    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6 && Network.AddressFamily == AddressFamily.InterNetwork)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != Network.AddressFamily)
        {
            return false;
        }
        Span<byte> candidate = stackalloc byte[16];
        Span<byte> network = stackalloc byte[16];
        address.TryWriteBytes(candidate, out int length);
        Network.TryWriteBytes(network, out _);
        int fullBytes = PrefixLength / 8;
        if (!candidate[..fullBytes].SequenceEqual(network[..fullBytes]))
        {
            return false;
        }
        int remainingBits = PrefixLength % 8;
        if (remainingBits == 0 || fullBytes >= length)
        {
            return true;
        }
        int mask = 0xFF << (8 - remainingBits) & 0xFF;
        return (candidate[fullBytes] & mask) == (network[fullBytes] & mask);
    }

    /// <summary>
    /// Parses <c>ADDRESS/BITS</c>. A bare address is a single-host range (/32 or /128). Host bits set
    /// below the prefix (<c>10.0.0.1/8</c>) are rejected: they usually mean a typo in the prefix.
    /// </summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out CidrRange? range)
    {
        range = null;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out IPAddress? network) || addressText.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }
        if (network.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3)
        {
            return false;
        }
        int maxBits = network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int bits = maxBits;
        if (slash >= 0)
        {
            string bitsText = text[(slash + 1)..];
            if (bitsText.Length is 0 or > 3 || !bitsText.All(char.IsAsciiDigit))
            {
                return false;
            }
            bits = int.Parse(bitsText, NumberStyles.None, CultureInfo.InvariantCulture);
            if (bits > maxBits)
            {
                return false;
            }
        }
        Span<byte> bytes = stackalloc byte[16];
        network.TryWriteBytes(bytes, out int length);
        for (int bit = bits; bit < length * 8; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                return false;
            }
        }
        range = new CidrRange(network, bits, text);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
