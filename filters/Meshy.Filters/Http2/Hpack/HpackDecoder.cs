using System.Buffers;

namespace Meshy.Filters.Http2.Hpack;

/// <summary>
/// Decodes HPACK field blocks (RFC 7541) into an <see cref="IHpackFieldSink"/>. One per connection
/// direction: its dynamic table mirrors the peer encoder's, so every block the peer sends must pass
/// through it, in order, even for streams that are being refused.
/// </summary>
/// <remarks>
/// <code>
///   1xxxxxxx                      indexed field (§6.1), 7-bit index
///   01xxxxxx [name] value         literal, added to the dynamic table (§6.2.1), 6-bit name index
///   001xxxxx                      dynamic table size update (§6.3), only at the start of a block
///   0000xxxx [name] value         literal, not added (§6.2.2), 4-bit name index
///   0001xxxx [name] value         literal, never indexed (§6.2.3), 4-bit name index
///   string:  H|length(7+) bytes   H = Huffman-coded (§5.2)
/// </code>
/// Raw strings are handed over as slices of the block; Huffman strings are decoded into a reusable
/// scratch buffer; the table reuses its storage. So a block decodes without allocating once the
/// scratch buffer has grown to the connection's block size. Any malformation is a COMPRESSION_ERROR
/// connection error (<see cref="Http2ProtocolException"/>): the tables can no longer be trusted to agree.
/// </remarks>
internal sealed class HpackDecoder : IDisposable
{
    private readonly HpackDynamicTable _table;
    private int _maxTableSizeLimit;
    private byte[] _scratch = [];
    private byte[] _joined = [];

    /// <summary>
    /// A decoder whose table may grow to <paramref name="maxTableSizeLimit"/> (the SETTINGS_HEADER_TABLE_SIZE
    /// this side advertises; the table starts at that size, RFC 9113 §6.5.2) and which delivers at most
    /// <paramref name="maxHeaderListSize"/> bytes of fields per block (name + value + 32 each).
    /// </summary>
    public HpackDecoder(int maxTableSizeLimit = HpackFormat.DefaultTableSize, long maxHeaderListSize = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTableSizeLimit);
        _maxTableSizeLimit = maxTableSizeLimit;
        _table = new HpackDynamicTable(maxTableSizeLimit);
        MaxHeaderListSize = maxHeaderListSize;
    }

    /// <summary>The dynamic table (read it, do not change it: it must mirror the peer's).</summary>
    public HpackDynamicTable Table => _table;

    /// <summary>
    /// The largest table size the peer may choose with a size update: the SETTINGS_HEADER_TABLE_SIZE
    /// this side advertised. A larger update is a COMPRESSION_ERROR (§6.3).
    /// </summary>
    public int MaxTableSizeLimit
    {
        get => _maxTableSizeLimit;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _maxTableSizeLimit = value;
        }
    }

    /// <summary>The field section limit per block: SETTINGS_MAX_HEADER_LIST_SIZE as advertised, or the proxy's own limit.</summary>
    public long MaxHeaderListSize { get; set; }

    /// <summary>
    /// Decodes a complete field block (HEADERS or PUSH_PROMISE fragment and its CONTINUATIONs joined)
    /// and hands each field to <paramref name="sink"/>. Throws COMPRESSION_ERROR on malformed input.
    /// </summary>
    public HpackDecodeResult Decode<TSink>(ReadOnlySpan<byte> block, ref TSink sink)
        where TSink : IHpackFieldSink, allows ref struct
    {
        // Huffman strings decode to at most 8/5 of their size, and a name taken from the table (one
        // that was there before this block, or one this block added) is copied before the table
        // changes: reserve for the worst case once per block, so scratch spans never move.
        int maxDecoded = HpackHuffman.GetMaxDecodedLength(block.Length);
        EnsureScratch((2 * maxDecoded) + _table.MaxSize);
        int offset = 0;
        bool fieldSeen = false;
        long listSize = 0;
        bool tooLarge = false;
        while (offset < block.Length)
        {
            byte first = block[offset];
            ReadOnlySpan<byte> name;
            ReadOnlySpan<byte> value;
            bool neverIndexed = false;
            if ((first & 0x80) != 0)
            {
                // §6.1 indexed field
                int index = HpackInteger.Decode(block, ref offset, 7);
                if (index == 0)
                {
                    HpackFormat.Fail("indexed field with index 0");
                }
                name = GetName(index);
                value = GetValue(index);
            }
            else if ((first & 0x40) != 0)
            {
                // §6.2.1 literal with incremental indexing; the sink gets the table's copy, which
                // stays put until the next insertion.
                ReadLiteral(block, ref offset, 6, out name, out value);
                if (_table.Add(name, value))
                {
                    name = _table.GetName(0);
                    value = _table.GetValue(0);
                }
            }
            else if ((first & 0x20) != 0)
            {
                // §4.2, §6.3 dynamic table size update: only before the first field of a block.
                if (fieldSeen)
                {
                    HpackFormat.Fail("dynamic table size update after a field");
                }
                int size = HpackInteger.Decode(block, ref offset, 5);
                if (size > _maxTableSizeLimit)
                {
                    HpackFormat.Fail("dynamic table size update above SETTINGS_HEADER_TABLE_SIZE");
                }
                _table.SetMaxSize(size);
                continue;
            }
            else
            {
                // §6.2.2 without indexing (0000), §6.2.3 never indexed (0001)
                neverIndexed = (first & 0x10) != 0;
                ReadLiteral(block, ref offset, 4, out name, out value);
            }
            fieldSeen = true;
            if (tooLarge)
            {
                continue;
            }
            listSize += HpackFormat.FieldSize(name.Length, value.Length);
            if (listSize > MaxHeaderListSize)
            {
                tooLarge = true;
                continue;
            }
            sink.OnField(name, value, neverIndexed);
        }
        return tooLarge ? HpackDecodeResult.HeaderListTooLarge : HpackDecodeResult.Complete;
    }

    /// <summary>
    /// Decodes a field block held in a sequence (e.g. a frame's fragment still in the pipe); a block
    /// split over segments is first copied into a reusable buffer.
    /// </summary>
    public HpackDecodeResult Decode<TSink>(in ReadOnlySequence<byte> block, ref TSink sink)
        where TSink : IHpackFieldSink, allows ref struct
    {
        if (block.IsSingleSegment)
        {
            return Decode(block.FirstSpan, ref sink);
        }
        int length = checked((int)block.Length);
        if (_joined.Length < length)
        {
            ReturnBuffer(_joined);
            _joined = ArrayPool<byte>.Shared.Rent(length);
        }
        block.CopyTo(_joined);
        return Decode(new ReadOnlySpan<byte>(_joined, 0, length), ref sink);
    }

    /// <summary>Returns the table and scratch buffers to the pool.</summary>
    public void Dispose()
    {
        _table.Dispose();
        ReturnBuffer(_scratch);
        ReturnBuffer(_joined);
        _scratch = [];
        _joined = [];
    }

    /// <summary>
    /// A literal field: the name index (or 0 and a literal name) with a <paramref name="prefixBits"/>
    /// prefix, then the value. A name from the dynamic table is copied to the scratch buffer first,
    /// since adding the field may evict or move the entry it came from (§4.4).
    /// </summary>
    private void ReadLiteral(ReadOnlySpan<byte> block, scoped ref int offset, int prefixBits, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        int used = 0;
        int nameIndex = HpackInteger.Decode(block, ref offset, prefixBits);
        if (nameIndex == 0)
        {
            name = ReadString(block, ref offset, ref used);
        }
        else if (nameIndex <= HpackStaticTable.Count)
        {
            name = HpackStaticTable.GetName(nameIndex);
        }
        else
        {
            ReadOnlySpan<byte> tableName = GetName(nameIndex);
            tableName.CopyTo(_scratch);
            name = new ReadOnlySpan<byte>(_scratch, 0, tableName.Length);
            used = tableName.Length;
        }
        value = ReadString(block, ref offset, ref used);
    }

    /// <summary>A string literal (§5.2): raw bytes are sliced from the block, Huffman ones decoded into the scratch buffer.</summary>
    private ReadOnlySpan<byte> ReadString(ReadOnlySpan<byte> block, scoped ref int offset, scoped ref int used)
    {
        if (offset >= block.Length)
        {
            HpackFormat.Fail("field block ends before a string literal");
        }
        bool huffman = (block[offset] & 0x80) != 0;
        int length = HpackInteger.Decode(block, ref offset, 7);
        if (length > block.Length - offset)
        {
            HpackFormat.Fail("string literal longer than the rest of the field block");
        }
        ReadOnlySpan<byte> raw = block.Slice(offset, length);
        offset += length;
        if (!huffman)
        {
            return raw;
        }
        int decoded = HpackHuffman.Decode(raw, _scratch.AsSpan(used));
        ReadOnlySpan<byte> result = new(_scratch, used, decoded);
        used += decoded;
        return result;
    }

    private ReadOnlySpan<byte> GetName(int index) => index <= HpackStaticTable.Count
        ? HpackStaticTable.GetName(index)
        : _table.GetName(DynamicIndex(index));

    private ReadOnlySpan<byte> GetValue(int index) => index <= HpackStaticTable.Count
        ? HpackStaticTable.GetValue(index)
        : _table.GetValue(DynamicIndex(index));

    /// <summary>§2.3.3: indices above the static table address the dynamic table, newest first; beyond it is an error.</summary>
    private int DynamicIndex(int index)
    {
        int dynamic = index - HpackStaticTable.Count - 1;
        if (dynamic >= _table.Count)
        {
            HpackFormat.Fail("index beyond the dynamic table");
        }
        return dynamic;
    }

    private void EnsureScratch(int length)
    {
        if (_scratch.Length >= length)
        {
            return;
        }
        ReturnBuffer(_scratch);
        _scratch = ArrayPool<byte>.Shared.Rent(length);
    }

    private static void ReturnBuffer(byte[] buffer)
    {
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
