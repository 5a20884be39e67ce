namespace Meshy.Filters.Http1;

/// <summary>
/// Walks the elements of a comma-separated list value (RFC 9110 §5.6.1) without allocating:
/// elements come out trimmed of OWS, empty elements are skipped (a recipient must accept them), and a
/// comma inside a quoted-string does not split.
/// </summary>
/// <remarks>
/// <code>
///   Connection:  keep-alive , ,Upgrade
///                ^--------^    ^-----^   two elements
///   TE: trailers, deflate;q="0.5,x"
///       ^------^  ^---------------^      two elements; the quoted comma stays inside
/// </code>
/// Use with <c>foreach</c>: <c>foreach (ReadOnlySpan&lt;byte&gt; token in new Http1TokenList(value))</c>.
/// </remarks>
internal ref struct Http1TokenList
{
    private ReadOnlySpan<byte> _remaining;
    private ReadOnlySpan<byte> _current;

    public Http1TokenList(ReadOnlySpan<byte> value)
    {
        _remaining = value;
        _current = default;
    }

    /// <summary>The current element, trimmed.</summary>
    public readonly ReadOnlySpan<byte> Current => _current;

    /// <summary>Enables <c>foreach</c>.</summary>
    public readonly Http1TokenList GetEnumerator() => this;

    /// <summary>Moves to the next non-empty element.</summary>
    public bool MoveNext()
    {
        while (!_remaining.IsEmpty)
        {
            int comma = IndexOfSeparator(_remaining);
            ReadOnlySpan<byte> element;
            if (comma < 0)
            {
                element = _remaining;
                _remaining = default;
            }
            else
            {
                element = _remaining[..comma];
                _remaining = _remaining[(comma + 1)..];
            }
            element = Http1Chars.TrimWhitespace(element);
            if (!element.IsEmpty)
            {
                _current = element;
                return true;
            }
        }
        _current = default;
        return false;
    }

    /// <summary>
    /// The name of a list element: the part before any ';' parameters, trimmed (a transfer-coding or a
    /// t-codings element, RFC 9112 §7, RFC 9110 §10.1.4).
    /// </summary>
    public static ReadOnlySpan<byte> ElementName(ReadOnlySpan<byte> element)
    {
        int semicolon = element.IndexOf((byte)';');
        return semicolon < 0 ? element : Http1Chars.TrimWhitespace(element[..semicolon]);
    }

    private static int IndexOfSeparator(ReadOnlySpan<byte> value)
    {
        int index = value.IndexOfAny((byte)',', (byte)'"');
        if (index < 0 || value[index] == (byte)',')
        {
            return index;
        }
        // A quoted-string (RFC 9110 §5.6.4) starts here: skip to its closing quote, honouring
        // quoted-pairs, then keep looking. An unterminated quote runs to the end of the value.
        bool quoted = false;
        for (int i = index; i < value.Length; i++)
        {
            byte current = value[i];
            if (quoted)
            {
                if (current == (byte)'\\')
                {
                    i++;
                }
                else if (current == (byte)'"')
                {
                    quoted = false;
                }
            }
            else if (current == (byte)'"')
            {
                quoted = true;
            }
            else if (current == (byte)',')
            {
                return i;
            }
        }
        return -1;
    }
}
