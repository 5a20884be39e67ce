using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using Meshy.Engine.Http;

namespace Meshy.Filters.Http2.Hpack;

/// <summary>
/// Encodes header fields as HPACK (RFC 7541) into an <see cref="IBufferWriter{T}"/>. One per
/// connection direction: its dynamic table mirrors the peer decoder's, so every block it encodes
/// must be sent, in order. A field block is the fields of one message encoded one after the other
/// (the caller then frames it with <c>Http2FrameWriter.WriteHeaders</c>).
/// </summary>
/// <remarks>
/// For each field, the shortest safe form:
/// <list type="number">
/// <item>a static entry with the same name and value: its index (§6.1);</item>
/// <item>a dynamic entry with the same name and value: its index (skipped for sensitive fields);</item>
/// <item>sensitive fields (authorization, proxy-authorization, cookies shorter than 20 bytes, which
/// a guessing attack could recover, §7.1): a never-indexed literal (§6.2.3);</item>
/// <item>values that rarely repeat (content-length, etag, conditional request dates, location, ...) and
/// fields larger than 3/4 of the table: a literal without indexing (§6.2.2);</item>
/// <item>anything else: a literal added to the dynamic table (§6.2.1).</item>
/// </list>
/// Names are indexed when possible (static table first) and lowercased (RFC 9113 §8.2.1: HTTP/1
/// names keep their case up to here). Strings are Huffman-coded when that is shorter. Nothing is
/// allocated per field.
/// </remarks>
internal sealed class HpackEncoder : IDisposable
{
    private const int StackNameLimit = 256;

    // The longest string whose length fits a 7-bit prefix in one byte (§5.1: up to 2^7 - 2).
    private const int ShortStringLimit = 126;

    // The memo: a field's hash to where it was last indexed (a static index, or the serial of the dynamic entry
    // it was stored as). The same fields come back message after message, so most fields are found here and
    // skip both table searches; a hit is confirmed by comparing the entry's bytes.
    private const int MemoSlots = 64;

    private readonly HpackDynamicTable _table;
    private readonly int _preferredTableSize;
    private readonly MemoEntry[] _memo = new MemoEntry[MemoSlots];
    private long _added;                        // entries ever added to the dynamic table: the next one's serial
    private int _pendingMinimumSize = -1;       // smallest size set since the last block, -1 = none

    /// <summary>
    /// An encoder that uses a dynamic table of at most <paramref name="maxTableSize"/> bytes, and
    /// never more than the peer's SETTINGS_HEADER_TABLE_SIZE (4096 until its SETTINGS arrive).
    /// </summary>
    public HpackEncoder(int maxTableSize = HpackFormat.DefaultTableSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTableSize);
        _preferredTableSize = maxTableSize;
        _table = new HpackDynamicTable(HpackFormat.DefaultTableSize);
        SetTableSize(Math.Min(maxTableSize, HpackFormat.DefaultTableSize));
    }

    /// <summary>The dynamic table, to read (tests and diagnostics): only this encoder adds to it, or its memo would point amiss.</summary>
    public HpackDynamicTable Table => _table;

    /// <summary>
    /// Applies the peer's SETTINGS_HEADER_TABLE_SIZE: the table becomes the smaller of it and this
    /// encoder's own maximum, and the next block starts with the size update(s) that tell the peer
    /// (RFC 7541 §4.2: the smallest size since the last block first, then the final one).
    /// </summary>
    public void SetPeerMaxTableSize(uint peerMaxTableSize) =>
        SetTableSize((int)Math.Min((uint)_preferredTableSize, peerMaxTableSize));

    /// <summary>Encodes every live field of <paramref name="headers"/>.</summary>
    public void Encode(HttpHeaderList headers, IBufferWriter<byte> output)
    {
        for (int i = 0; i < headers.SlotCount; i++)
        {
            if (!headers.IsRemoved(i))
            {
                EncodeField(headers.GetName(i), headers.GetValue(i), output);
            }
        }
    }

    /// <summary>
    /// Encodes one field. <paramref name="neverIndex"/> forces the never-indexed form (a field that
    /// arrived never-indexed must be forwarded so, RFC 7541 §7.1.3). NOTE: pending table size updates
    /// go before the first field encoded after the change, so the fields of one block must be encoded
    /// without a settings change between them (the connection's single writer guarantees it).
    /// </summary>
    public void EncodeField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, IBufferWriter<byte> output, bool neverIndex = false)
    {
        if (!HasUppercase(name))
        {
            EncodeLowercaseField(name, value, output, neverIndex);
            return;
        }
        byte[]? rented = name.Length > StackNameLimit ? ArrayPool<byte>.Shared.Rent(name.Length) : null;
        try
        {
            Span<byte> lower = rented is null ? stackalloc byte[StackNameLimit] : rented;
            Ascii.ToLower(name, lower, out int written);
            EncodeLowercaseField(lower[..written], value, output, neverIndex);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Returns the table storage to the pool.</summary>
    public void Dispose() => _table.Dispose();

    private void EncodeLowercaseField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, IBufferWriter<byte> output, bool neverIndex)
    {
        WritePendingSizeUpdates(output);

        // 0. A field indexed before, found in the memo.
        ulong hash = FieldHash(name, value);
        ref MemoEntry memo = ref _memo[(int)(hash >> 58)];
        if (!neverIndex && memo.Hash == hash && TryRecall(memo.Where, name, value, out int recalled))
        {
            WriteIndexed(output, recalled);
            return;
        }

        // 1. Exact static match.
        int staticIndex = HpackStaticTable.Find(name, value, out int staticNameIndex);
        if (staticIndex > 0)
        {
            WriteIndexed(output, staticIndex);
            memo = new MemoEntry(hash, -staticIndex);
            return;
        }

        // 2. Exact dynamic match, unless the field must not be stored or matched. A name this encoder never
        //    stores cannot be in its table: no need to look.
        bool sensitive = neverIndex || IsSensitive(name, value);
        bool storable = !sensitive && IsStorableName(name);
        int dynamicNameIndex = -1;
        if (storable)
        {
            int dynamicIndex = _table.Find(name, value, out dynamicNameIndex);
            if (dynamicIndex >= 0)
            {
                WriteIndexed(output, HpackStaticTable.Count + 1 + dynamicIndex);
                memo = new MemoEntry(hash, _added - 1 - dynamicIndex);
                return;
            }
        }
        int nameIndex = staticNameIndex > 0 ? staticNameIndex
            : dynamicNameIndex >= 0 ? HpackStaticTable.Count + 1 + dynamicNameIndex
            : 0;

        // 3.-5. A literal.
        if (sensitive)
        {
            WriteLiteral(output, 0x10, 4, nameIndex, name, value);
        }
        else if (storable && FitsTable(name, value))
        {
            WriteLiteral(output, 0x40, 6, nameIndex, name, value);
            if (_table.Add(name, value))
            {
                memo = new MemoEntry(hash, _added++);
            }
        }
        else
        {
            WriteLiteral(output, 0x00, 4, nameIndex, name, value);
        }
    }

    /// <summary>
    /// The index a memo entry points to, if it still holds this field: a static index, or a dynamic entry not
    /// yet evicted (entries leave oldest first, so a serial within the newest <c>Count</c> is still there).
    /// </summary>
    private bool TryRecall(long where, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, out int index)
    {
        if (where < 0)
        {
            index = (int)-where;
            return HpackStaticTable.GetValue(index).SequenceEqual(value) && HpackStaticTable.GetName(index).SequenceEqual(name);
        }
        long age = _added - 1 - where;
        if (age >= 0 && age < _table.Count)
        {
            index = HpackStaticTable.Count + 1 + (int)age;
            return _table.Holds((int)age, name, value);
        }
        index = 0;
        return false;
    }

    /// <summary>A 64-bit hash of a field, eight bytes at a time; its top six bits choose the memo slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong FieldHash(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        ulong hash = ((ulong)(uint)name.Length << 32) | (uint)value.Length;
        hash = Mix(hash, name);
        return Mix(hash, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong hash, ReadOnlySpan<byte> bytes)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15;
        int length = bytes.Length;
        int whole = length & ~7;
        for (int offset = 0; offset < whole; offset += 8)
        {
            hash = BitOperations.RotateLeft((hash ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes[offset..])) * Multiplier, 29);
        }
        if (length != whole)
        {
            // The bytes past the last whole word, read with words that may overlap ones already mixed (the
            // lengths are in the hash): no loop over single bytes.
            hash = BitOperations.RotateLeft((hash ^ LastWord(bytes)) * Multiplier, 29);
        }
        return hash * Multiplier;
    }

    /// <summary>The last (up to) eight bytes of a non-empty span as one word; a shorter span's bytes overlap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LastWord(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        >= 8 => BinaryPrimitives.ReadUInt64LittleEndian(bytes[^8..]),
        >= 4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(bytes[^4..]) << 32),
        _ => bytes[0] | ((ulong)bytes[bytes.Length >> 1] << 8) | ((ulong)bytes[^1] << 16),
    };

    /// <summary>Whether a name has an uppercase letter: eight bytes at a time, no vector set-up for names this short.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool HasUppercase(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty)
        {
            return false;
        }
        int whole = name.Length & ~7;
        for (int offset = 0; offset < whole; offset += 8)
        {
            if (HasUppercaseByte(BinaryPrimitives.ReadUInt64LittleEndian(name[offset..])))
            {
                return true;
            }
        }
        return name.Length != whole && HasUppercaseByte(LastWord(name));
    }

    /// <summary>True when a byte of <paramref name="word"/> is in A..Z (bytes of 128 and above never are).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool HasUppercaseByte(ulong word)
    {
        const ulong Ones = 0x0101010101010101;
        ulong low7 = word & (Ones * 127);
        // Per byte b below 128, with no carry or borrow between bytes: 127 + 91 - b has its top bit set for b up to
        // 'Z', b + 127 - 64 for b from 'A' on; ~word drops the bytes whose own top bit is set.
        return (((Ones * (127 + 91)) - low7) & ~word & (low7 + (Ones * (127 - 64))) & (Ones * 128)) != 0;
    }

    /// <summary>A memo slot: <see cref="Where"/> is minus a static index, or a dynamic entry's serial.</summary>
    private readonly struct MemoEntry(ulong hash, long where)
    {
        public readonly ulong Hash = hash;
        public readonly long Where = where;
    }

    private void SetTableSize(int size)
    {
        if (size == _table.MaxSize && _pendingMinimumSize < 0)
        {
            return;
        }
        _pendingMinimumSize = _pendingMinimumSize < 0 ? size : Math.Min(_pendingMinimumSize, size);
        _table.SetMaxSize(size);
    }

    /// <summary>§4.2, §6.3: the size update(s) owed to the peer, at the start of the block.</summary>
    private void WritePendingSizeUpdates(IBufferWriter<byte> output)
    {
        if (_pendingMinimumSize < 0)
        {
            return;
        }
        Span<byte> span = output.GetSpan(2 * HpackInteger.MaxLength);
        int written = 0;
        if (_pendingMinimumSize < _table.MaxSize)
        {
            written += HpackInteger.Encode(span, _pendingMinimumSize, 5, 0x20);
        }
        written += HpackInteger.Encode(span[written..], _table.MaxSize, 5, 0x20);
        output.Advance(written);
        _pendingMinimumSize = -1;
    }

    private static void WriteIndexed(IBufferWriter<byte> output, int index)
    {
        if (index < 0x7f)
        {
            // Every static index and the first 65 dynamic ones: one byte, no integer encoding.
            output.GetSpan(1)[0] = (byte)(0x80 | index);
            output.Advance(1);
            return;
        }
        Span<byte> span = output.GetSpan(HpackInteger.MaxLength);
        output.Advance(HpackInteger.Encode(span, index, 7, 0x80));
    }

    private static void WriteLiteral(IBufferWriter<byte> output, byte pattern, int prefixBits, int nameIndex,
        ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        int maxLength = HpackInteger.MaxLength + (nameIndex == 0 ? HpackInteger.MaxLength + name.Length : 0)
            + HpackInteger.MaxLength + value.Length;
        Span<byte> span = output.GetSpan(maxLength);
        int written = HpackInteger.Encode(span, nameIndex, prefixBits, pattern);
        if (nameIndex == 0)
        {
            written += WriteString(span[written..], name);
        }
        written += WriteString(span[written..], value);
        output.Advance(written);
    }

    /// <summary>A string literal (§5.2), Huffman-coded when that is shorter; <paramref name="destination"/> has room for it raw.</summary>
    private static int WriteString(Span<byte> destination, ReadOnlySpan<byte> value)
    {
        if (value.Length <= ShortStringLimit)
        {
            // Coded or not, the length fits the one-byte prefix: code straight after it, in one pass.
            int coded = HpackHuffman.EncodeIfShorter(value, destination[1..]);
            if (coded >= 0)
            {
                destination[0] = (byte)(0x80 | coded);
                return 1 + coded;
            }
            destination[0] = (byte)value.Length;
            value.CopyTo(destination[1..]);
            return 1 + value.Length;
        }
        int huffmanLength = HpackHuffman.GetEncodedLength(value);
        if (huffmanLength < value.Length)
        {
            int prefix = HpackInteger.Encode(destination, huffmanLength, 7, 0x80);
            return prefix + HpackHuffman.Encode(value, destination[prefix..]);
        }
        int written = HpackInteger.Encode(destination, value.Length, 7, 0x00);
        value.CopyTo(destination[written..]);
        return written + value.Length;
    }

    /// <summary>Credentials, and cookies short enough to guess (RFC 7541 §7.1.3).</summary>
    private static bool IsSensitive(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) =>
        name.SequenceEqual("authorization"u8)
        || name.SequenceEqual("proxy-authorization"u8)
        || (value.Length < 20 && name.SequenceEqual("cookie"u8));

    /// <summary>False for a field that would flush most of the table by itself.</summary>
    private bool FitsTable(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) =>
        HpackFormat.FieldSize(name.Length, value.Length) <= _table.MaxSize * 3L / 4;

    /// <summary>False for names whose values rarely repeat: stored, they would only push out fields that do.</summary>
    private static bool IsStorableName(ReadOnlySpan<byte> name) =>
        name.Length switch
        {
            3 => !name.SequenceEqual("age"u8),
            4 => !name.SequenceEqual("etag"u8),
            8 => !name.SequenceEqual("location"u8),
            12 => !name.SequenceEqual("x-request-id"u8),
            // last-modified is stored (as nghttp2 does): every response for one resource repeats it.
            13 => !name.SequenceEqual("if-none-match"u8),
            14 => !name.SequenceEqual("content-length"u8),
            17 => !name.SequenceEqual("if-modified-since"u8),
            _ => true,
        };
}
