using System.Buffers.Binary;

namespace Meshy.Filters.Http2.Hpack;

/// <summary>
/// The static Huffman code of HPACK (RFC 7541 §5.2, Appendix B). The code is canonical: ordered by
/// (length, symbol), each code is the previous one plus one, shifted left when the length grows.
/// So the code lengths below define the whole table; the codes are computed from them once.
/// </summary>
/// <remarks>
/// Decoding walks the code tree four bits at a time with a precomputed table: for each of the 256
/// inner nodes and each nibble, the node reached, the symbol completed on the way (at most one: no
/// code is shorter than 5 bits) and whether EOS was hit. The string may only end on the root or on
/// a node reached by at most 7 one-bits from it (the padding is a prefix of EOS, §5.2).
/// </remarks>
internal static class HpackHuffman
{
    /// <summary>The end-of-string symbol; never valid inside a string.</summary>
    public const int Eos = 256;

    // Code lengths of symbols 0..256 (RFC 7541 Appendix B).
    private static ReadOnlySpan<byte> CodeLengths =>
    [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,   //   0..15
        28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,   //  16..31
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,           //  ' '..'/'
        5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,                //  '0'..'?'
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,                  //  '@'..'O'
        7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,               //  'P'..'_'
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,                  //  '`'..'o'
        6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,              //  'p'..127
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,   // 128..143
        24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,   // 144..159
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,   // 160..175
        21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,   // 176..191
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,   // 192..207
        19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,   // 208..223
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,   // 224..239
        26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,   // 240..255
        30,                                                               // EOS
    ];

    private static readonly uint[] Codes = BuildCodes();

    // Decoding table: [node * 16 + nibble] → next node (bits 0..7), symbol (bits 8..15),
    // flags (bit 16: a symbol was emitted, bit 17: EOS hit, i.e. invalid).
    private static readonly uint[] Transitions;

    // Per inner node: true when a string may end there (root, or ≤ 7 one-bits deep).
    private static readonly bool[] Accepting;

    private const uint Emit = 1u << 16;
    private const uint Failure = 1u << 17;

    static HpackHuffman()
    {
        (Transitions, Accepting) = BuildDecoder();
    }

    /// <summary>The code length of <paramref name="symbol"/> in bits.</summary>
    public static int GetCodeLength(int symbol) => CodeLengths[symbol];

    /// <summary>The code of <paramref name="symbol"/>, right-aligned.</summary>
    public static uint GetCode(int symbol) => Codes[symbol];

    /// <summary>The bytes <paramref name="source"/> takes Huffman-encoded, padding included.</summary>
    public static int GetEncodedLength(ReadOnlySpan<byte> source)
    {
        long bits = 0;
        ReadOnlySpan<byte> lengths = CodeLengths;
        foreach (byte value in source)
        {
            bits += lengths[value];
        }
        return (int)((bits + 7) >> 3);
    }

    /// <summary>
    /// Encodes <paramref name="source"/> into <paramref name="destination"/> (room for
    /// <see cref="GetEncodedLength"/>), padding the last byte with the most significant bits of EOS
    /// (ones); returns the bytes written.
    /// </summary>
    public static int Encode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int written = EncodeWithin(source, destination, destination.Length);
        return written >= 0 ? written : throw new ArgumentException("too small for the encoded string", nameof(destination));
    }

    /// <summary>
    /// Encodes <paramref name="source"/> into <paramref name="destination"/> (room for <c>source.Length</c> bytes)
    /// when that makes it shorter, in one pass: returns the bytes written, or -1 as soon as the code cannot be
    /// shorter than the string (what the destination then holds is meaningless).
    /// </summary>
    public static int EncodeIfShorter(ReadOnlySpan<byte> source, Span<byte> destination) =>
        source.Length <= 1 ? -1 : EncodeWithin(source, destination, source.Length - 1);

    /// <summary>Encodes into at most <paramref name="limit"/> bytes of <paramref name="destination"/>; -1 as soon as more would be needed.</summary>
    /// <remarks>Codes are at most 30 bits, so 64 bits of pending code always fit one more, and the bits go out 32 at a time.</remarks>
    private static int EncodeWithin(ReadOnlySpan<byte> source, Span<byte> destination, int limit)
    {
        destination = destination[..limit];
        ulong buffer = 0;       // pending bits, right-aligned (bits above them are already written)
        int pending = 0;
        int written = 0;
        ReadOnlySpan<byte> lengths = CodeLengths;
        uint[] codes = Codes;
        foreach (byte value in source)
        {
            int length = lengths[value];
            buffer = (buffer << length) | codes[value];
            pending += length;
            if (pending >= 32)
            {
                if (written + 4 > limit)
                {
                    return -1;
                }
                pending -= 32;
                BinaryPrimitives.WriteUInt32BigEndian(destination[written..], (uint)(buffer >> pending));
                written += 4;
            }
        }
        int total = written + ((pending + 7) >> 3);
        if (total > limit)
        {
            return -1;
        }
        while (pending >= 8)
        {
            pending -= 8;
            destination[written++] = (byte)(buffer >> pending);
        }
        if (pending > 0)
        {
            destination[written++] = (byte)((buffer << (8 - pending)) | (0xffu >> pending));
        }
        return written;
    }

    /// <summary>The most bytes <paramref name="encodedLength"/> Huffman-coded bytes can decode to (5-bit codes at best).</summary>
    public static int GetMaxDecodedLength(int encodedLength) => (int)(((long)encodedLength * 8 + 4) / 5);

    /// <summary>
    /// Decodes <paramref name="source"/> into <paramref name="destination"/> (room for
    /// <see cref="GetMaxDecodedLength"/>); returns the bytes written. Throws COMPRESSION_ERROR for
    /// an EOS symbol, padding longer than 7 bits, or padding that is not all ones (§5.2).
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        uint[] transitions = Transitions;
        int node = 0;
        int written = 0;
        uint failed = 0;
        foreach (byte value in source)
        {
            uint high = transitions[(node << 4) | (value >> 4)];
            if ((high & Emit) != 0)
            {
                destination[written++] = (byte)(high >> 8);
            }
            uint low = transitions[((int)(high & 0xff) << 4) | (value & 0xf)];
            if ((low & Emit) != 0)
            {
                destination[written++] = (byte)(low >> 8);
            }
            failed |= (high | low) & Failure;
            node = (int)(low & 0xff);
        }
        if (failed != 0)
        {
            HpackFormat.Fail("EOS symbol in a Huffman-coded string");
        }
        if (!Accepting[node])
        {
            HpackFormat.Fail("invalid Huffman padding");
        }
        return written;
    }

    private static uint[] BuildCodes()
    {
        ReadOnlySpan<byte> lengths = CodeLengths;
        var codes = new uint[Eos + 1];
        uint code = 0;
        int previousLength = 0;
        for (int length = 1; length <= 30; length++)
        {
            for (int symbol = 0; symbol <= Eos; symbol++)
            {
                if (lengths[symbol] != length)
                {
                    continue;
                }
                code <<= length - previousLength;
                previousLength = length;
                codes[symbol] = code++;
            }
        }
        return codes;
    }

    private static (uint[] Transitions, bool[] Accepting) BuildDecoder()
    {
        // 1. The code tree: inner nodes 0..255 (0 = root); a child is an inner node, or a leaf
        //    stored as -(symbol + 1).
        var children = new int[256, 2];
        var depth = new int[256];
        var allOnes = new bool[256];
        allOnes[0] = true;
        int nodes = 1;
        for (int symbol = 0; symbol <= Eos; symbol++)
        {
            int length = CodeLengths[symbol];
            uint code = Codes[symbol];
            int node = 0;
            for (int bit = length - 1; bit > 0; bit--)
            {
                int branch = (int)((code >> bit) & 1);
                if (children[node, branch] == 0)
                {
                    children[node, branch] = nodes;
                    depth[nodes] = depth[node] + 1;
                    allOnes[nodes] = allOnes[node] && branch == 1;
                    nodes++;
                }
                node = children[node, branch];
            }
            children[node, (int)(code & 1)] = -(symbol + 1);
        }

        // 2. Four bits from every inner node.
        var transitions = new uint[256 * 16];
        var accepting = new bool[256];
        for (int node = 0; node < 256; node++)
        {
            accepting[node] = node == 0 || (allOnes[node] && depth[node] <= 7);
            for (int nibble = 0; nibble < 16; nibble++)
            {
                int current = node;
                uint entry = 0;
                for (int bit = 3; bit >= 0; bit--)
                {
                    int child = children[current, (nibble >> bit) & 1];
                    if (child >= 0)
                    {
                        current = child;
                        continue;
                    }
                    int symbol = -child - 1;
                    entry |= symbol == Eos ? Failure : Emit | ((uint)symbol << 8);
                    current = 0;
                }
                transitions[(node << 4) | nibble] = entry | (uint)current;
            }
        }
        return (transitions, accepting);
    }
}
