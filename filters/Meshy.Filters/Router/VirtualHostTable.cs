using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text;

namespace Meshy.Filters.Router;

/// <summary>
/// Picks a listener's route table by Host (CONTRACT: hosts): case-insensitive, port ignored; the most
/// specific match wins: an exact name, then the longest <c>*.suffix</c> (which never matches the bare
/// suffix), then <c>*</c>. No match: 404 <c>NR</c>.
/// </summary>
internal sealed class VirtualHostTable
{
    private const int StackHostLength = 256;

    private readonly FrozenDictionary<string, RouteTable> _exact;
    private readonly FrozenDictionary<string, RouteTable>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    private readonly (byte[] Suffix, RouteTable Table)[] _wildcards;
    private readonly RouteTable? _any;

    public VirtualHostTable(ImmutableArray<RouteTable> tables)
    {
        var exact = new Dictionary<string, RouteTable>(StringComparer.OrdinalIgnoreCase);
        var wildcards = new List<(byte[], RouteTable)>();
        RouteTable? any = null;
        foreach (RouteTable table in tables)
        {
            foreach (string host in table.Hosts)
            {
                if (host == "*")
                {
                    any ??= table;
                }
                else if (host.StartsWith("*.", StringComparison.Ordinal))
                {
                    wildcards.Add((Encoding.ASCII.GetBytes(host[1..].ToLowerInvariant()), table));
                }
                else
                {
                    exact.TryAdd(host, table);
                }
            }
        }
        _exact = exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _exactLookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        // Longest suffix first, so the first hit is the most specific; a stable sort keeps file order among equals.
        _wildcards = [.. wildcards.OrderByDescending(w => w.Item1.Length)];
        _any = any;
        Tables = tables;
    }

    /// <summary>The listener's tables, in the order it names them.</summary>
    public ImmutableArray<RouteTable> Tables { get; }

    /// <summary>The table serving <paramref name="authority"/> (Host, port included or not), or null.</summary>
    public RouteTable? Find(ReadOnlySpan<byte> authority)
    {
        ReadOnlySpan<byte> host = StripPort(authority);
        if (_exact.Count > 0 && host.Length <= StackHostLength)
        {
            Span<char> chars = stackalloc char[host.Length];
            for (int i = 0; i < host.Length; i++)
            {
                chars[i] = (char)host[i];
            }
            if (_exactLookup.TryGetValue(chars, out RouteTable? table))
            {
                return table;
            }
        }
        foreach ((byte[] suffix, RouteTable table) in _wildcards)
        {
            if (host.Length > suffix.Length && Ascii.EqualsIgnoreCase(host[^suffix.Length..], suffix))
            {
                return table;
            }
        }
        return _any;
    }

    /// <summary><c>host[:port]</c> or <c>[v6]:port</c> → host (RFC 9110 §7.2).</summary>
    internal static ReadOnlySpan<byte> StripPort(ReadOnlySpan<byte> authority)
    {
        if (!authority.IsEmpty && authority[0] == (byte)'[')
        {
            int close = authority.IndexOf((byte)']');
            return close < 0 ? authority : authority[..(close + 1)];
        }
        int colon = authority.LastIndexOf((byte)':');
        return colon < 0 ? authority : authority[..colon];
    }
}
