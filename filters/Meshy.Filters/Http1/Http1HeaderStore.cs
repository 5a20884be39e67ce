using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Meshy.Filters.Http1;

/// <summary>
/// The field lines of one header or trailer section, kept as (name, value) ranges into a copy of the
/// section's raw bytes. The copy lives in a pooled buffer owned by the store and reused from one
/// message to the next, so parsing a message allocates nothing once the buffer has grown to the size
/// of the connection's heads. Only head bytes are ever copied; body bytes stay in the pipe.
/// </summary>
/// <remarks>
/// <code>
///   Raw:    G E T   / a   H T T P / 1 . 1 \r \n H o s t :   a \r \n \r \n
///                                             ^---^   ^
///   Field:                                    name    value (ranges, OWS trimmed)
/// </code>
/// For a message head <see cref="Raw"/> also holds the start line; for trailers it holds only the
/// trailer section. Names and values are spans; <see cref="GetNameString"/> and
/// <see cref="GetValueString"/> allocate, so call them only when a string is really needed.
/// Not thread-safe: one store belongs to one connection.
/// </remarks>
internal sealed class Http1HeaderStore : IDisposable
{
    private const int MinimumRawCapacity = 1024;

    private byte[] _raw = [];
    private int _rawLength;
    private Http1Field[] _fields = [];
    private int _count;

    // The first index of each known field, valid where the bit (1 << (int)known) of _knownMask is set.
    private readonly int[] _firstKnown = new int[Http1KnownHeaders.Count];
    private int _knownMask;

    /// <summary>The number of field lines.</summary>
    public int Count => _count;

    /// <summary>The raw bytes the fields point into (for a head: start line, field lines and final CRLF).</summary>
    public ReadOnlySpan<byte> Raw => new(_raw, 0, _rawLength);

    /// <summary>The ranges of the field at <paramref name="index"/>.</summary>
    public Http1Field this[int index]
    {
        get
        {
            CheckIndex(index);
            return _fields[index];
        }
    }

    /// <summary>The name of the field at <paramref name="index"/>, as received (case preserved).</summary>
    public ReadOnlySpan<byte> GetName(int index)
    {
        Http1Field field = this[index];
        return new ReadOnlySpan<byte>(_raw, field.NameOffset, field.NameLength);
    }

    /// <summary>The value of the field at <paramref name="index"/>, without leading and trailing whitespace.</summary>
    public ReadOnlySpan<byte> GetValue(int index)
    {
        Http1Field field = this[index];
        return new ReadOnlySpan<byte>(_raw, field.ValueOffset, field.ValueLength);
    }

    /// <summary>The kind of the field at <paramref name="index"/>.</summary>
    public Http1KnownHeader GetKnownHeader(int index) => this[index].Known;

    /// <summary>The name as a string (allocates).</summary>
    public string GetNameString(int index) => Encoding.ASCII.GetString(GetName(index));

    /// <summary>The value as a string, obs-text read as Latin-1 (RFC 9110 §5.5) (allocates).</summary>
    public string GetValueString(int index) => Encoding.Latin1.GetString(GetValue(index));

    /// <summary>True when the field at <paramref name="index"/> is named <paramref name="name"/>, ignoring ASCII case.</summary>
    public bool NameEquals(int index, ReadOnlySpan<byte> name) => Ascii.EqualsIgnoreCase(GetName(index), name);

    /// <summary>True when a field of this kind is present.</summary>
    public bool Contains(Http1KnownHeader header) => IndexOf(header) >= 0;

    /// <summary>The index of the first field of this kind, or -1.</summary>
    public int IndexOf(Http1KnownHeader header)
    {
        if (header == Http1KnownHeader.None || (_knownMask & (1 << (int)header)) == 0)
        {
            return -1;
        }
        return _firstKnown[(int)header];
    }

    /// <summary>The index of the first field named <paramref name="name"/> (ASCII case ignored) at or after <paramref name="startIndex"/>, or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> name, int startIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startIndex);
        for (int i = startIndex; i < _count; i++)
        {
            Http1Field field = _fields[i];
            if (field.NameLength == name.Length
                && Ascii.EqualsIgnoreCase(new ReadOnlySpan<byte>(_raw, field.NameOffset, field.NameLength), name))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The value of the first field named <paramref name="name"/>, ignoring ASCII case.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        int index = IndexOf(name);
        value = index >= 0 ? GetValue(index) : default;
        return index >= 0;
    }

    /// <summary>The value of the first field of this kind.</summary>
    public bool TryGetValue(Http1KnownHeader header, out ReadOnlySpan<byte> value)
    {
        int index = IndexOf(header);
        value = index >= 0 ? GetValue(index) : default;
        return index >= 0;
    }

    /// <summary>Forgets all fields and bytes; keeps the buffers for the next message.</summary>
    public void Clear()
    {
        _rawLength = 0;
        _count = 0;
        _knownMask = 0;
    }

    /// <summary>Returns the raw buffer to the pool.</summary>
    public void Dispose()
    {
        Clear();
        byte[] raw = _raw;
        _raw = [];
        if (raw.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    /// <summary>Replaces the raw bytes with <paramref name="bytes"/>.</summary>
    internal void SetRaw(ReadOnlySpan<byte> bytes)
    {
        _rawLength = 0;
        bytes.CopyTo(Extend(bytes.Length));
    }

    /// <summary>Appends <paramref name="length"/> bytes to the raw bytes and returns them for the caller to fill.</summary>
    internal Span<byte> Extend(int length)
    {
        int newLength = _rawLength + length;
        if (newLength > _raw.Length)
        {
            Grow(newLength);
        }
        Span<byte> added = _raw.AsSpan(_rawLength, length);
        _rawLength = newLength;
        return added;
    }

    /// <summary>Records a field whose ranges point into <see cref="Raw"/> (possibly into bytes still to be copied there).</summary>
    internal int Add(in Http1Field field)
    {
        if (_count == _fields.Length)
        {
            Array.Resize(ref _fields, Math.Max(16, _fields.Length * 2));
        }
        int index = _count++;
        _fields[index] = field;
        int bit = 1 << (int)field.Known;
        if (field.Known != Http1KnownHeader.None && (_knownMask & bit) == 0)
        {
            _knownMask |= bit;
            _firstKnown[(int)field.Known] = index;
        }
        return index;
    }

    private void Grow(int minimum)
    {
        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(minimum, Math.Max(MinimumRawCapacity, _raw.Length * 2)));
        _raw.AsSpan(0, _rawLength).CopyTo(larger);
        byte[] old = _raw;
        _raw = larger;
        if (old.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)_count)
        {
            ThrowIndexOutOfRange(index);
        }
    }

    [DoesNotReturn]
    private static void ThrowIndexOutOfRange(int index) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, "no field at this index");
}
