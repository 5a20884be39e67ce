using System.Buffers;

namespace Meshy.Filters.Http2.Hpack;

/// <summary>
/// The HPACK dynamic table (RFC 7541 §2.3.2, §4): a FIFO of fields, newest first, bounded by a size
/// in which each entry counts its name and value bytes plus 32. One per decoder and one per encoder.
/// </summary>
/// <remarks>
/// Entry bytes are appended to one pooled array, oldest first, so that the live bytes are always one
/// contiguous run and every name and value is a plain span:
/// <code>
///   bytes:   [ ...evicted... | oldest name+value | ... | newest name+value | free ... ]
///                             ^_start                                      ^_end
///   entries: ring of (offset, name length, value length), oldest at _oldest
/// </code>
/// Eviction only moves <c>_start</c>. When a new entry does not fit after <c>_end</c>, the live run
/// (at most <see cref="MaxSize"/> bytes) is moved to the front. The array holds twice the maximum
/// size, so that move happens at most once per <see cref="MaxSize"/> bytes added: O(1) per byte,
/// and nothing is allocated once the table exists.
/// </remarks>
internal sealed class HpackDynamicTable : IDisposable
{
    private byte[] _bytes = [];
    private int _start;
    private int _end;
    private Entry[] _entries = [];
    private int _oldest;
    private int _count;
    private int _size;
    private int _maxSize;

    /// <summary>An empty table of at most <paramref name="maxSize"/> (RFC size units).</summary>
    public HpackDynamicTable(int maxSize)
    {
        SetMaxSize(maxSize);
    }

    /// <summary>Entries in the table.</summary>
    public int Count => _count;

    /// <summary>The table size: the sum of name + value + 32 over the entries (§4.1).</summary>
    public int Size => _size;

    /// <summary>The current maximum size; adding beyond it evicts the oldest entries.</summary>
    public int MaxSize => _maxSize;

    /// <summary>The name of the entry at <paramref name="index"/>, 0 = newest (HPACK index 62).</summary>
    public ReadOnlySpan<byte> GetName(int index)
    {
        ref readonly Entry entry = ref GetEntry(index);
        return new ReadOnlySpan<byte>(_bytes, entry.Offset, entry.NameLength);
    }

    /// <summary>The value of the entry at <paramref name="index"/>, 0 = newest.</summary>
    public ReadOnlySpan<byte> GetValue(int index)
    {
        ref readonly Entry entry = ref GetEntry(index);
        return new ReadOnlySpan<byte>(_bytes, entry.Offset + entry.NameLength, entry.ValueLength);
    }

    /// <summary>The name and value of the entry at <paramref name="index"/> (0 = newest): one lookup of the entry for both.</summary>
    public void GetField(int index, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        ref readonly Entry entry = ref GetEntry(index);
        name = new ReadOnlySpan<byte>(_bytes, entry.Offset, entry.NameLength);
        value = new ReadOnlySpan<byte>(_bytes, entry.Offset + entry.NameLength, entry.ValueLength);
    }

    /// <summary>
    /// Changes the maximum size, evicting the oldest entries until the table fits (§4.3). Growing
    /// past the storage reserved so far takes a larger pooled array (only on a size change).
    /// </summary>
    public void SetMaxSize(int maxSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        _maxSize = maxSize;
        EvictUntil(maxSize);
        int entryCapacity = (maxSize / HpackFormat.EntryOverhead) + 1;
        if (entryCapacity > _entries.Length)
        {
            var entries = new Entry[entryCapacity];
            for (int i = 0; i < _count; i++)
            {
                entries[i] = _entries[(_oldest + i) % _entries.Length];
            }
            _entries = entries;
            _oldest = 0;
        }
        if (maxSize * 2 > _bytes.Length)
        {
            byte[] bytes = ArrayPool<byte>.Shared.Rent(maxSize * 2);
            Compact(bytes);
            Return();
            _bytes = bytes;
        }
    }

    /// <summary>
    /// Adds a field as the newest entry, evicting the oldest ones to make room (§4.4). A field larger
    /// than the maximum size empties the table and is not added. <paramref name="name"/> and
    /// <paramref name="value"/> must not point into this table (copy an indexed name first: eviction
    /// may move the bytes it refers to). False when the field was too large to be added.
    /// </summary>
    public bool Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        long entrySize = HpackFormat.FieldSize(name.Length, value.Length);
        if (entrySize > _maxSize)
        {
            EvictUntil(0);
            return false;
        }
        EvictUntil(_maxSize - (int)entrySize);
        int length = name.Length + value.Length;
        if (_end + length > _bytes.Length)
        {
            Compact(_bytes);
        }
        int offset = _end;
        name.CopyTo(_bytes.AsSpan(offset));
        value.CopyTo(_bytes.AsSpan(offset + name.Length));
        _end += length;
        _entries[(_oldest + _count) % _entries.Length] = new Entry(offset, name.Length, value.Length, HpackFormat.NameKey(name));
        _count++;
        _size += (int)entrySize;
        return true;
    }

    /// <summary>
    /// Finds a field for the encoder: the index (0 = newest) of an entry with this name and value, or
    /// -1; <paramref name="nameIndex"/> is the newest entry with this name, or -1.
    /// </summary>
    public int Find(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, out int nameIndex)
    {
        nameIndex = -1;
        uint key = HpackFormat.NameKey(name);
        Entry[] entries = _entries;
        byte[] bytes = _bytes;
        // Newest to oldest, stepping back through the ring (no division per entry: this runs for
        // every field the encoder writes).
        int position = (_oldest + _count - 1) % entries.Length;
        for (int index = 0; index < _count; index++)
        {
            Entry entry = entries[position];
            position = position == 0 ? entries.Length - 1 : position - 1;
            if (entry.NameKey != key || !name.SequenceEqual(new ReadOnlySpan<byte>(bytes, entry.Offset, entry.NameLength)))
            {
                continue;
            }
            if (nameIndex < 0)
            {
                nameIndex = index;
            }
            if (entry.ValueLength == value.Length
                && value.SequenceEqual(new ReadOnlySpan<byte>(bytes, entry.Offset + entry.NameLength, entry.ValueLength)))
            {
                return index;
            }
        }
        return -1;
    }

    /// <summary>Returns the storage to the pool; the table is empty afterwards.</summary>
    public void Dispose()
    {
        EvictUntil(0);
        Return();
        _bytes = [];
    }

    private void EvictUntil(int targetSize)
    {
        while (_size > targetSize)
        {
            ref readonly Entry oldest = ref _entries[_oldest];
            _size -= (int)HpackFormat.FieldSize(oldest.NameLength, oldest.ValueLength);
            _start = oldest.Offset + oldest.NameLength + oldest.ValueLength;
            _oldest = (_oldest + 1) % _entries.Length;
            _count--;
        }
        if (_count == 0)
        {
            _start = 0;
            _end = 0;
        }
    }

    /// <summary>Moves the live bytes to the front of <paramref name="destination"/> (may be the same array).</summary>
    private void Compact(byte[] destination)
    {
        int shift = _start;
        _bytes.AsSpan(_start, _end - _start).CopyTo(destination);
        for (int i = 0; i < _count; i++)
        {
            ref Entry entry = ref _entries[(_oldest + i) % _entries.Length];
            entry = entry with { Offset = entry.Offset - shift };
        }
        _end -= shift;
        _start = 0;
    }

    private ref readonly Entry GetEntry(int index)
    {
        if ((uint)index >= (uint)_count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "no dynamic table entry at this index");
        }
        // Both terms are below the ring's length: one subtraction wraps it, where a division would cost more than the rest.
        int position = _oldest + _count - 1 - index;
        Entry[] entries = _entries;
        return ref entries[position >= entries.Length ? position - entries.Length : position];
    }

    private void Return()
    {
        if (_bytes.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_bytes);
        }
    }

    /// <summary>Where an entry's bytes are, and its <see cref="HpackFormat.NameKey"/> for the encoder's lookups.</summary>
    private readonly record struct Entry(int Offset, int NameLength, int ValueLength, uint NameKey);
}
