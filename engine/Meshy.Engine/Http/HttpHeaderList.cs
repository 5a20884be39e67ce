using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Meshy.Engine.Http;

/// <summary>
/// A protocol-neutral list of header (or trailer) fields stored as byte ranges in one pooled arena,
/// so that adding, replacing and removing fields allocates nothing once the arena and the entry array
/// have grown to the size of the connection's messages. Names keep the case they arrived with
/// (HTTP/1) and compare case-insensitively (RFC 9110 §5.1).
/// </summary>
/// <remarks>
/// <code>
///   arena:   h o s t a . e x a m p l e x - i d 4 2 ...
///            ^name-^ ^----value----^ ^name^ ^v^
///   entries: [0] name 0..4 value 4..17   [1] name 17..21 value 21..23 (Removed = false)
/// </code>
/// A removed field keeps its slot (marked removed) until <see cref="Clear"/>, so indices stay stable
/// while a caller walks the list. Spans returned by the getters stay valid until the next add or set
/// (the arena may move when it grows) or <see cref="Clear"/>. Not thread-safe: one list belongs to one exchange.
/// </remarks>
public sealed class HttpHeaderList : IDisposable
{
    private const int MinimumArenaSize = 1024;

    private byte[] _arena = [];
    private int _arenaLength;
    private Entry[] _entries = [];
    private int _slots;
    private int _count;

    /// <summary>Live fields (removed ones excluded).</summary>
    public int Count => _count;

    /// <summary>Slots, removed ones included: iterate <c>0 .. SlotCount</c> and skip <see cref="IsRemoved"/>.</summary>
    public int SlotCount => _slots;

    /// <summary>True when the slot at <paramref name="index"/> was removed.</summary>
    public bool IsRemoved(int index) => GetEntry(index).Removed;

    /// <summary>The name at <paramref name="index"/>, as received.</summary>
    public ReadOnlySpan<byte> GetName(int index)
    {
        ref readonly Entry entry = ref GetEntry(index);
        return new ReadOnlySpan<byte>(_arena, entry.NameOffset, entry.NameLength);
    }

    /// <summary>The value at <paramref name="index"/>, without surrounding whitespace.</summary>
    public ReadOnlySpan<byte> GetValue(int index)
    {
        ref readonly Entry entry = ref GetEntry(index);
        return new ReadOnlySpan<byte>(_arena, entry.ValueOffset, entry.ValueLength);
    }

    /// <summary>The name as a string (allocates).</summary>
    public string GetNameString(int index) => Encoding.ASCII.GetString(GetName(index));

    /// <summary>The value as a string, obs-text read as Latin-1 (allocates).</summary>
    public string GetValueString(int index) => Encoding.Latin1.GetString(GetValue(index));

    /// <summary>The index of the first live field named <paramref name="name"/> at or after <paramref name="start"/>, or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> name, int start = 0)
    {
        for (int i = start; i < _slots; i++)
        {
            ref readonly Entry entry = ref _entries[i];
            if (!entry.Removed && entry.NameLength == name.Length
                && Ascii.EqualsIgnoreCase(new ReadOnlySpan<byte>(_arena, entry.NameOffset, entry.NameLength), name))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>True when a live field is named <paramref name="name"/>.</summary>
    public bool Contains(ReadOnlySpan<byte> name) => IndexOf(name) >= 0;

    /// <summary>The value of the first live field named <paramref name="name"/>.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        int index = IndexOf(name);
        value = index >= 0 ? GetValue(index) : default;
        return index >= 0;
    }

    /// <summary>Appends a field (a repeated name is kept as another line, RFC 9110 §5.3).</summary>
    public void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        // Reserve first: the arena may move, and name/value may point into it (a copy of a field).
        EnsureArena(name.Length + value.Length);
        int nameOffset = Append(name);
        int valueOffset = Append(value);
        AddEntry(new Entry(nameOffset, name.Length, valueOffset, value.Length));
    }

    /// <summary>Appends <paramref name="name"/> with the concatenation of <paramref name="first"/>, <paramref name="separator"/> and <paramref name="second"/>.</summary>
    public void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> first, ReadOnlySpan<byte> separator, ReadOnlySpan<byte> second)
    {
        int valueLength = first.Length + separator.Length + second.Length;
        EnsureArena(name.Length + valueLength);
        int nameOffset = Append(name);
        int valueOffset = Append(first);
        Append(separator);
        Append(second);
        AddEntry(new Entry(nameOffset, name.Length, valueOffset, valueLength));
    }

    /// <summary>Replaces every field named <paramref name="name"/> with one field of <paramref name="value"/>.</summary>
    public void Set(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Remove(name);
        Add(name, value);
    }

    /// <summary>Removes every field named <paramref name="name"/>; returns how many.</summary>
    public int Remove(ReadOnlySpan<byte> name)
    {
        int removed = 0;
        for (int index = IndexOf(name); index >= 0; index = IndexOf(name, index + 1))
        {
            RemoveAt(index);
            removed++;
        }
        return removed;
    }

    /// <summary>Removes the field at <paramref name="index"/> (its slot stays, marked removed).</summary>
    public void RemoveAt(int index)
    {
        ref Entry entry = ref _entries[CheckIndex(index)];
        if (!entry.Removed)
        {
            entry.Removed = true;
            _count--;
        }
    }

    /// <summary>Copies every live field of <paramref name="other"/> to the end of this list.</summary>
    public void AddAll(HttpHeaderList other)
    {
        for (int i = 0; i < other._slots; i++)
        {
            if (!other._entries[i].Removed)
            {
                Add(other.GetName(i), other.GetValue(i));
            }
        }
    }

    /// <summary>
    /// Exchanges the fields (and the storage behind them) of this list and <paramref name="other"/>: how a head
    /// decoded into a list of its own becomes the exchange's without copying each field. Spans taken from either
    /// list before the swap stay valid, and now belong to the other list.
    /// </summary>
    public void SwapWith(HttpHeaderList other)
    {
        (_arena, other._arena) = (other._arena, _arena);
        (_arenaLength, other._arenaLength) = (other._arenaLength, _arenaLength);
        (_entries, other._entries) = (other._entries, _entries);
        (_slots, other._slots) = (other._slots, _slots);
        (_count, other._count) = (other._count, _count);
        (_retired, other._retired) = (other._retired, _retired);
    }

    /// <summary>Forgets all fields; keeps the arena and entry array for the next message.</summary>
    public void Clear()
    {
        ReturnRetired();
        _arenaLength = 0;
        _slots = 0;
        _count = 0;
    }

    /// <summary>Returns the arena to the pool.</summary>
    public void Dispose()
    {
        Clear();
        byte[] arena = _arena;
        _arena = [];
        if (arena.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(arena);
        }
    }

    /// <summary>Stores bytes that are not a field (a request's path, authority) in the arena; read them back with <see cref="Slice"/>.</summary>
    internal (int Offset, int Length) Store(ReadOnlySpan<byte> bytes)
    {
        EnsureArena(bytes.Length);
        return (Append(bytes), bytes.Length);
    }

    /// <summary>Bytes stored with <see cref="Store"/>.</summary>
    internal ReadOnlySpan<byte> Slice(int offset, int length) => new(_arena, offset, length);

    private int Append(ReadOnlySpan<byte> bytes)
    {
        int offset = _arenaLength;
        bytes.CopyTo(_arena.AsSpan(offset));
        _arenaLength += bytes.Length;
        return offset;
    }

    private void EnsureArena(int extra)
    {
        int needed = _arenaLength + extra;
        if (needed <= _arena.Length)
        {
            return;
        }
        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(MinimumArenaSize, _arena.Length * 2)));
        _arena.AsSpan(0, _arenaLength).CopyTo(larger);
        byte[] old = _arena;
        _arena = larger;
        // NOTE: the bytes being added may be a span into the old arena (a field of this list copied
        // into it), so the old array goes back to the pool only after the appends (ReturnRetired).
        ReturnRetired();
        _retired = old;
    }

    private void AddEntry(in Entry entry)
    {
        ReturnRetired();
        if (_slots == _entries.Length)
        {
            Array.Resize(ref _entries, Math.Max(16, _entries.Length * 2));
        }
        _entries[_slots++] = entry;
        _count++;
    }

    private byte[]? _retired;

    private void ReturnRetired()
    {
        if (_retired is { Length: > 0 } retired)
        {
            ArrayPool<byte>.Shared.Return(retired);
        }
        _retired = null;
    }

    private int CheckIndex(int index)
    {
        if ((uint)index >= (uint)_slots)
        {
            ThrowIndexOutOfRange(index);
        }
        return index;
    }

    private ref readonly Entry GetEntry(int index) => ref _entries[CheckIndex(index)];

    [DoesNotReturn]
    private static void ThrowIndexOutOfRange(int index) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, "no header at this index");

    private struct Entry(int nameOffset, int nameLength, int valueOffset, int valueLength)
    {
        public readonly int NameOffset = nameOffset;
        public readonly int NameLength = nameLength;
        public readonly int ValueOffset = valueOffset;
        public readonly int ValueLength = valueLength;
        public bool Removed;
    }
}
