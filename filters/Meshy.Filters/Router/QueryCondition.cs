using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Meshy.Conf.Schema;

namespace Meshy.Filters.Router;

/// <summary>
/// A compiled <c>match.query.NAME</c>: exact, regex, present or absent on the first occurrence of the
/// parameter. Names and values are percent-decoded as Envoy decodes query parameters (<c>%XX</c> only;
/// <c>+</c> stays a plus; a malformed escape is kept as is), in a stack or pooled buffer.
/// </summary>
internal sealed class QueryCondition
{
    private const int StackBytes = 256;

    private readonly byte[] _name;
    private readonly byte[] _text;
    private readonly Regex? _regex;

    public QueryCondition(QueryMatchConfig config)
    {
        Name = config.Name;
        Kind = config.Kind;
        Text = config.Value;
        _name = Encoding.UTF8.GetBytes(config.Name);
        _text = Encoding.UTF8.GetBytes(config.Value);
        _regex = config.Kind == StringMatchKind.Regex ? RouteRegex.Compile(config.Value) : null;
    }

    /// <summary>The parameter name as configured.</summary>
    public string Name { get; }

    /// <summary>Which comparison.</summary>
    public StringMatchKind Kind { get; }

    /// <summary>The configured text or pattern.</summary>
    public string Text { get; }

    /// <summary>True when the query (without its '?') satisfies the condition.</summary>
    public bool Matches(ReadOnlySpan<byte> query)
    {
        byte[]? rented = null;
        Span<byte> scratch = query.Length <= StackBytes ? stackalloc byte[StackBytes] : (rented = ArrayPool<byte>.Shared.Rent(query.Length));
        try
        {
            bool found = TryFindFirst(query, scratch, out int valueLength);
            return Kind switch
            {
                StringMatchKind.Present => found,
                StringMatchKind.Absent => !found,
                _ when !found => false,
                StringMatchKind.Exact => scratch[..valueLength].SequenceEqual(_text),
                StringMatchKind.Prefix => scratch[..valueLength].StartsWith(_text),
                _ => RouteRegex.IsFullMatchUtf8(_regex!, scratch[..valueLength]),
            };
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Finds the first parameter named <see cref="Name"/>; its decoded value is left at the start of <paramref name="scratch"/>.</summary>
    private bool TryFindFirst(ReadOnlySpan<byte> query, Span<byte> scratch, out int valueLength)
    {
        while (!query.IsEmpty)
        {
            int end = query.IndexOf((byte)'&');
            ReadOnlySpan<byte> parameter = end < 0 ? query : query[..end];
            query = end < 0 ? default : query[(end + 1)..];
            if (parameter.IsEmpty)
            {
                continue;
            }
            int equals = parameter.IndexOf((byte)'=');
            ReadOnlySpan<byte> name = equals < 0 ? parameter : parameter[..equals];
            ReadOnlySpan<byte> value = equals < 0 ? default : parameter[(equals + 1)..];
            bool same = name.IndexOf((byte)'%') < 0
                ? name.SequenceEqual(_name)
                : scratch[..PercentDecode(name, scratch)].SequenceEqual(_name);
            if (same)
            {
                valueLength = PercentDecode(value, scratch);
                return true;
            }
        }
        valueLength = 0;
        return false;
    }

    /// <summary>Decodes <c>%XX</c> escapes of <paramref name="source"/> into <paramref name="destination"/> (never longer); returns the length.</summary>
    internal static int PercentDecode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int written = 0;
        for (int i = 0; i < source.Length; i++)
        {
            byte b = source[i];
            if (b == (byte)'%' && i + 2 < source.Length && HexValue(source[i + 1]) is int high and >= 0 && HexValue(source[i + 2]) is int low and >= 0)
            {
                destination[written++] = (byte)((high << 4) | low);
                i += 2;
            }
            else
            {
                destination[written++] = b;
            }
        }
        return written;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>For <c>meshy route</c>: <c>query.debug.exact = "1"</c>.</summary>
    public string Describe() => Kind switch
    {
        StringMatchKind.Present => $"query.{Name}.present = true",
        StringMatchKind.Absent => $"query.{Name}.present = false",
        _ => $"query.{Name}.{Kind.ToString().ToLowerInvariant()} = \"{Text}\"",
    };
}
