using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Meshy.Conf.Schema;
using Meshy.Engine.Http;

namespace Meshy.Filters.Router;

/// <summary>
/// A compiled <c>match.headers.NAME</c>: exact, prefix, regex, present or absent. The name compares
/// case-insensitively; a header sent several times is compared as its values joined by <c>,</c>
/// (RFC 9110 §5.3, as Envoy does), joined in a stack or pooled buffer only when it is repeated.
/// </summary>
internal sealed class HeaderCondition
{
    private const int StackBytes = 256;

    private readonly byte[] _name;
    private readonly byte[] _text;
    private readonly Regex? _regex;

    public HeaderCondition(HeaderMatchConfig config)
    {
        Name = config.Name;
        Kind = config.Kind;
        Text = config.Value;
        _name = Encoding.ASCII.GetBytes(config.Name);
        _text = Encoding.Latin1.GetBytes(config.Value);
        _regex = config.Kind == StringMatchKind.Regex ? RouteRegex.Compile(config.Value) : null;
    }

    /// <summary>The header name as configured.</summary>
    public string Name { get; }

    /// <summary>Which comparison.</summary>
    public StringMatchKind Kind { get; }

    /// <summary>The configured text or pattern.</summary>
    public string Text { get; }

    /// <summary>True when <paramref name="headers"/> satisfy the condition.</summary>
    public bool Matches(HttpHeaderList headers)
    {
        int first = headers.IndexOf(_name);
        if (Kind == StringMatchKind.Present)
        {
            return first >= 0;
        }
        if (Kind == StringMatchKind.Absent)
        {
            return first < 0;
        }
        if (first < 0)
        {
            return false;
        }
        int next = headers.IndexOf(_name, first + 1);
        if (next < 0)
        {
            return Compare(headers.GetValue(first));
        }
        return MatchesJoined(headers, first);
    }

    private bool MatchesJoined(HttpHeaderList headers, int first)
    {
        int length = -1;
        for (int i = first; i >= 0; i = headers.IndexOf(_name, i + 1))
        {
            length += headers.GetValue(i).Length + 1;
        }
        byte[]? rented = null;
        Span<byte> joined = length <= StackBytes ? stackalloc byte[StackBytes] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            int written = 0;
            for (int i = first; i >= 0; i = headers.IndexOf(_name, i + 1))
            {
                if (written > 0)
                {
                    joined[written++] = (byte)',';
                }
                ReadOnlySpan<byte> value = headers.GetValue(i);
                value.CopyTo(joined[written..]);
                written += value.Length;
            }
            return Compare(joined[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private bool Compare(ReadOnlySpan<byte> value) => Kind switch
    {
        StringMatchKind.Exact => value.SequenceEqual(_text),
        StringMatchKind.Prefix => value.StartsWith(_text),
        _ => RouteRegex.IsFullMatchLatin1(_regex!, value),
    };

    /// <summary>For <c>meshy route</c>: <c>headers.x-user.exact = "alice"</c>.</summary>
    public string Describe() => Kind switch
    {
        StringMatchKind.Present => $"headers.{Name}.present = true",
        StringMatchKind.Absent => $"headers.{Name}.present = false",
        _ => $"headers.{Name}.{Kind.ToString().ToLowerInvariant()} = \"{Text}\"",
    };
}
