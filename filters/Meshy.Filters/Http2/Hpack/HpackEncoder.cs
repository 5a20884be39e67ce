using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
        var block = new HpackBlockWriter(output);
        for (int i = 0; i < headers.SlotCount; i++)
        {
            if (!headers.IsRemoved(i))
            {
                EncodeField(headers.GetName(i), headers.GetValue(i), ref block);
            }
        }
        block.Commit();
    }

    /// <summary>Encodes one field straight into <paramref name="output"/> (see the other overload).</summary>
    public void EncodeField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, IBufferWriter<byte> output, bool neverIndex = false)
    {
        var block = new HpackBlockWriter(output);
        EncodeField(name, value, ref block, neverIndex);
        block.Commit();
    }

    /// <summary>
    /// Encodes one field. <paramref name="neverIndex"/> forces the never-indexed form (a field that
    /// arrived never-indexed must be forwarded so, RFC 7541 §7.1.3). NOTE: pending table size updates
    /// go before the first field encoded after the change, so the fields of one block must be encoded
    /// without a settings change between them (the connection's single writer guarantees it).
    /// </summary>
    public void EncodeField(scoped ReadOnlySpan<byte> name, scoped ReadOnlySpan<byte> value, ref HpackBlockWriter output, bool neverIndex = false)
    {
        if (_pendingMinimumSize >= 0)
        {
            WritePendingSizeUpdates(ref output);
        }

        // 0. A field indexed before, found in the memo. The hash and the check ignore the name's case, so an
        //    HTTP/1 name ("Content-Type") is found without being lowercased first.
        ulong hash = FieldHash(name, value);
        ref MemoEntry memo = ref _memo[(int)(hash >> 58)];
        if (memo.Hash == hash && !neverIndex && TryRecall(memo.Where, name, value, out int recalled))
        {
            WriteIndexed(ref output, recalled);
            return;
        }
        if (!HasUppercase(name))
        {
            EncodeUnrecalled(name, value, ref memo, hash, ref output, neverIndex);
            return;
        }
        byte[]? rented = name.Length > StackNameLimit ? ArrayPool<byte>.Shared.Rent(name.Length) : null;
        try
        {
            Span<byte> lower = rented is null ? stackalloc byte[StackNameLimit] : rented;
            Ascii.ToLower(name, lower, out int written);
            EncodeUnrecalled(lower[..written], value, ref memo, hash, ref output, neverIndex);
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

    /// <summary>Steps 1-5 for a field the memo did not have; <paramref name="name"/> is lowercase, <paramref name="memo"/> its slot.</summary>
    private void EncodeUnrecalled(scoped ReadOnlySpan<byte> name, scoped ReadOnlySpan<byte> value, ref MemoEntry memo, ulong hash,
        ref HpackBlockWriter output, bool neverIndex)
    {
        // 1. Exact static match.
        int staticIndex = HpackStaticTable.Find(name, value, out int staticNameIndex);
        if (staticIndex > 0)
        {
            WriteIndexed(ref output, staticIndex);
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
                WriteIndexed(ref output, HpackStaticTable.Count + 1 + dynamicIndex);
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
            WriteLiteral(ref output, 0x10, 4, nameIndex, name, value);
        }
        else if (storable && FitsTable(name, value))
        {
            WriteLiteral(ref output, 0x40, 6, nameIndex, name, value);
            if (_table.Add(name, value))
            {
                memo = new MemoEntry(hash, _added++);
            }
        }
        else
        {
            WriteLiteral(ref output, 0x00, 4, nameIndex, name, value);
        }
    }

    /// <summary>
    /// The index a memo entry points to, if it still holds this field: a static index, or a dynamic entry not
    /// yet evicted (entries leave oldest first, so a serial within the newest <c>Count</c> is still there).
    /// Table names are lowercase; <paramref name="name"/> matches one if it does once lowercased.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryRecall(long where, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, out int index)
    {
        ReadOnlySpan<byte> heldName;
        ReadOnlySpan<byte> heldValue;
        if (where < 0)
        {
            index = (int)-where;
            heldName = HpackStaticTable.GetName(index);
            heldValue = HpackStaticTable.GetValue(index);
        }
        else
        {
            long age = _added - 1 - where;
            if ((ulong)age >= (ulong)_table.Count)
            {
                index = 0;
                return false;
            }
            index = HpackStaticTable.Count + 1 + (int)age;
            _table.GetField((int)age, out heldName, out heldValue);
        }
        return value.SequenceEqual(heldValue) && LowercasedEquals(name, heldName);
    }

    /// <summary>
    /// A 64-bit hash of a field, eight bytes at a time, the name lowercased as it is read (so a name hashes as
    /// it will be stored); its top six bits choose the memo slot.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong FieldHash(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        ulong hash = ((ulong)(uint)name.Length << 32) | (uint)value.Length;
        int whole = name.Length & ~7;
        for (int offset = 0; offset < whole; offset += 8)
        {
            hash = Mix(hash, ToLower(Word(name, offset)));
        }
        if (name.Length != whole)
        {
            hash = Mix(hash, ToLower(LastWord(name)));
        }
        whole = value.Length & ~7;
        for (int offset = 0; offset < whole; offset += 8)
        {
            hash = Mix(hash, Word(value, offset));
        }
        if (value.Length != whole)
        {
            // The bytes past the last whole word, read with words that may overlap ones already mixed (the
            // lengths are in the hash): no loop over single bytes.
            hash = Mix(hash, LastWord(value));
        }
        return hash * 0x9E3779B97F4A7C15;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong hash, ulong word) => BitOperations.RotateLeft((hash ^ word) * 0x9E3779B97F4A7C15, 29);

    /// <summary>Whether <paramref name="name"/>, lowercased, is <paramref name="lowercase"/>: eight bytes at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool LowercasedEquals(ReadOnlySpan<byte> name, ReadOnlySpan<byte> lowercase)
    {
        if (name.Length != lowercase.Length)
        {
            return false;
        }
        int whole = name.Length & ~7;
        for (int offset = 0; offset < whole; offset += 8)
        {
            if (ToLower(Word(name, offset)) != Word(lowercase, offset))
            {
                return false;
            }
        }
        return name.Length == whole || ToLower(LastWord(name)) == LastWord(lowercase);
    }

    /// <summary>The last (up to) eight bytes of a non-empty span as one word; a shorter span's bytes overlap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LastWord(ReadOnlySpan<byte> bytes)
    {
        Debug.Assert(!bytes.IsEmpty);
        ref byte first = ref MemoryMarshal.GetReference(bytes);
        int length = bytes.Length;
        return length switch
        {
            >= 8 => Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref first, length - 8)),
            >= 4 => Unsafe.ReadUnaligned<uint>(ref first) | ((ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref first, length - 4)) << 32),
            _ => first | ((ulong)Unsafe.Add(ref first, length >> 1) << 8) | ((ulong)Unsafe.Add(ref first, length - 1) << 16),
        };
    }

    /// <summary>
    /// The eight bytes at <paramref name="offset"/>, which the callers' loops keep at least eight bytes from the end:
    /// read without the bounds checks that slicing would add, on a path taken for every field.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Word(ReadOnlySpan<byte> bytes, int offset)
    {
        Debug.Assert((uint)offset <= (uint)bytes.Length - 8);
        return Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref MemoryMarshal.GetReference(bytes), offset));
    }

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
            if (UppercaseBytes(Word(name, offset)) != 0)
            {
                return true;
            }
        }
        return name.Length != whole && UppercaseBytes(LastWord(name)) != 0;
    }

    /// <summary><paramref name="word"/> with its bytes in A..Z made lowercase.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ToLower(ulong word) => word | (UppercaseBytes(word) >> 2);

    /// <summary>0x80 in each byte of <paramref name="word"/> that is in A..Z (bytes of 128 and above never are), 0 elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong UppercaseBytes(ulong word)
    {
        const ulong Ones = 0x0101010101010101;
        ulong low7 = word & (Ones * 127);
        // Per byte b below 128, with no carry or borrow between bytes: 127 + 91 - b has its top bit set for b up to
        // 'Z', b + 127 - 64 for b from 'A' on; ~word drops the bytes whose own top bit is set.
        return ((Ones * (127 + 91)) - low7) & ~word & (low7 + (Ones * (127 - 64))) & (Ones * 128);
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

    /// <summary>§4.2, §6.3: the size update(s) owed to the peer (some are: the caller checked), at the start of the block.</summary>
    private void WritePendingSizeUpdates(ref HpackBlockWriter output)
    {
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteIndexed(ref HpackBlockWriter output, int index)
    {
        if (index < 0x7f)
        {
            // Every static index and the first 65 dynamic ones: one byte, no integer encoding.
            output.Write((byte)(0x80 | index));
            return;
        }
        Span<byte> span = output.GetSpan(HpackInteger.MaxLength);
        output.Advance(HpackInteger.Encode(span, index, 7, 0x80));
    }

    private static void WriteLiteral(ref HpackBlockWriter output, byte pattern, int prefixBits, int nameIndex,
        scoped ReadOnlySpan<byte> name, scoped ReadOnlySpan<byte> value)
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
