using System.Buffers;
using System.Text;
using Meshy.Engine.Http;
using Meshy.Filters.Http2.Hpack;
using static Meshy.Filters.Tests.Http2.Hpack.HpackTestSupport;

namespace Meshy.Filters.Tests.Http2.Hpack;

public sealed class HpackEncoderTests
{
    [Fact]
    public void RoundTrip_SmallTableWithEviction_DecoderTableMatchesEncoderAfterEveryBlock()
    {
        using var encoder = new HpackEncoder(maxTableSize: 256);
        using var decoder = new HpackDecoder(maxTableSizeLimit: 256);
        encoder.SetPeerMaxTableSize(256);
        var random = new Random(12345);
        int evictions = 0;
        for (int block = 0; block < 200; block++)
        {
            var fields = new (string Name, string Value)[random.Next(1, 8)];
            for (int i = 0; i < fields.Length; i++)
            {
                // A few names and values, so that entries are reused, replaced and evicted.
                fields[i] = ($"x-field-{random.Next(6)}", new string((char)('a' + random.Next(4)), random.Next(0, 60)));
            }
            int countBefore = encoder.Table.Count;

            byte[] encoded = Encode(encoder, fields);

            Assert.Equal(fields, Decode(decoder, encoded));
            Assert.Equal(Entries(encoder.Table), Entries(decoder.Table));
            Assert.Equal(encoder.Table.Size, decoder.Table.Size);
            Assert.True(encoder.Table.Size <= 256);
            evictions += encoder.Table.Count < countBefore ? 1 : 0;
        }
        Assert.True(evictions > 10, $"only {evictions} blocks evicted entries");
    }

    [Fact]
    public void RepeatedBlock_IsEncodedAsIndicesOnly()
    {
        using var encoder = new HpackEncoder();
        (string, string)[] fields = [(":method", "GET"), (":path", "/api/orders"), ("user-agent", "meshy-test/1.0"), ("accept", "*/*")];
        Encode(encoder, fields);

        byte[] second = Encode(encoder, fields);

        Assert.Equal(4, second.Length);
        Assert.All(second, b => Assert.True(b >= 0x80));
    }

    [Theory]
    [InlineData("authorization", "Bearer abcdefghijklmnopqrstuvwxyz0123456789")]
    [InlineData("proxy-authorization", "Basic dXNlcjpwYXNz")]
    [InlineData("cookie", "id=12345")]
    public void SensitiveField_IsNeverIndexed(string name, string value)
    {
        using var encoder = new HpackEncoder();
        using var decoder = new HpackDecoder();

        byte[] encoded = Encode(encoder, (name, value));
        var collector = new FieldCollector();
        decoder.Decode(encoded, ref collector);

        Assert.Equal(0x10, encoded[0] & 0xf0);
        Assert.Equal([(name, value, true)], collector.Fields);
        Assert.Equal(0, encoder.Table.Count);
        Assert.Equal(0, decoder.Table.Count);
    }

    [Fact]
    public void LongCookie_IsIndexed()
    {
        using var encoder = new HpackEncoder();

        byte[] encoded = Encode(encoder, ("cookie", "session=3f2a9c81d7e64b0a; theme=dark"));

        Assert.Equal(0x40, encoded[0] & 0xc0);
        Assert.Equal(1, encoder.Table.Count);
    }

    [Fact]
    public void NeverIndexRequested_ForwardsAFieldThatArrivedNeverIndexed()
    {
        using var encoder = new HpackEncoder();
        var output = new ArrayBufferWriter<byte>();

        encoder.EncodeField("x-secret"u8, "value"u8, output, neverIndex: true);

        Assert.Equal(0x10, output.WrittenSpan[0] & 0xf0);
        Assert.Equal(0, encoder.Table.Count);
    }

    [Fact]
    public void RarelyRepeatedValues_AreNotIndexed()
    {
        using var encoder = new HpackEncoder();

        Encode(encoder, ("content-length", "1234"), ("etag", "\"abc\""), ("location", "/next"), ("x-request-id", "4f1c"));

        Assert.Equal(0, encoder.Table.Count);
    }

    [Fact]
    public void UppercaseNames_AreLowercased()
    {
        using var encoder = new HpackEncoder();
        using var decoder = new HpackDecoder();

        byte[] encoded = Encode(encoder, ("Content-Type", "text/html"), ("X-Custom-Header", "1"), (new string('N', 300), "long name"));

        Assert.Equal([("content-type", "text/html"), ("x-custom-header", "1"), (new string('n', 300), "long name")], Decode(decoder, encoded));
    }

    [Fact]
    public void Huffman_UsedOnlyWhenShorter()
    {
        using var encoder = new HpackEncoder();
        var output = new ArrayBufferWriter<byte>();

        encoder.EncodeField("x-a"u8, [0xfe, 0xfe], output);         // 0xfe has a 27-bit code: raw is shorter

        // 0100 0000, name "x-a" (Huffman: 3 codes of 7+6+5 = 18 bits, 3 bytes: not shorter, raw), value raw.
        Assert.Equal(new byte[] { 0x40, 0x03, (byte)'x', (byte)'-', (byte)'a', 0x02, 0xfe, 0xfe }, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void PeerTableSizeLowered_NextBlockStartsWithSizeUpdateAndDecoderFollows()
    {
        using var encoder = new HpackEncoder();
        using var decoder = new HpackDecoder();
        Assert.Equal([("x-a", "1")], Decode(decoder, Encode(encoder, ("x-a", "1"))));

        encoder.SetPeerMaxTableSize(0);
        decoder.MaxTableSizeLimit = 0;
        byte[] encoded = Encode(encoder, ("x-a", "1"));

        Assert.Equal(0x20, encoded[0]);                                 // size update to 0
        Assert.Equal([("x-a", "1")], Decode(decoder, encoded));
        Assert.Equal(0, decoder.Table.MaxSize);
        Assert.Equal(0, decoder.Table.Count);
        Assert.Equal(0, encoder.Table.Count);
    }

    [Fact]
    public void PeerTableSizeLoweredThenRaised_EmitsTheMinimumThenTheFinalSize()
    {
        using var encoder = new HpackEncoder();
        using var decoder = new HpackDecoder();
        Decode(decoder, Encode(encoder, ("x-a", "1")));

        encoder.SetPeerMaxTableSize(10);
        encoder.SetPeerMaxTableSize(8192);                              // capped at the encoder's own 4096
        byte[] encoded = Encode(encoder, ("x-a", "1"));

        Assert.Equal(new byte[] { 0x2a, 0x3f, 0xe1, 0x1f }, encoded[..4]);   // 10, then 4096
        Decode(decoder, encoded);
        Assert.Equal(Entries(encoder.Table), Entries(decoder.Table));
        Assert.Equal(4096, decoder.Table.MaxSize);
    }

    [Fact]
    public void SmallerOwnTable_AnnouncedAtTheFirstBlock()
    {
        using var encoder = new HpackEncoder(maxTableSize: 1024);
        using var decoder = new HpackDecoder();

        byte[] encoded = Encode(encoder, (":status", "200"));

        Assert.Equal(new byte[] { 0x3f, 0xe1, 0x07, 0x88 }, encoded);     // size update 1024, then index 8
        Decode(decoder, encoded);
        Assert.Equal(1024, decoder.Table.MaxSize);
    }

    [Fact]
    public void PeerTableSizeUnchanged_NoSizeUpdate()
    {
        using var encoder = new HpackEncoder();

        encoder.SetPeerMaxTableSize(4096);

        Assert.Equal(new byte[] { 0x88 }, Encode(encoder, (":status", "200")));
    }

    [Fact]
    public void EncodeHeaderList_SkipsRemovedFields()
    {
        using var encoder = new HpackEncoder();
        using var decoder = new HpackDecoder();
        using var headers = new HttpHeaderList();
        headers.Add("Content-Type"u8, "text/plain"u8);
        headers.Add("X-Drop"u8, "1"u8);
        headers.Add("Server"u8, "meshy"u8);
        headers.Remove("x-drop"u8);
        var output = new ArrayBufferWriter<byte>();

        encoder.Encode(headers, output);

        Assert.Equal([("content-type", "text/plain"), ("server", "meshy")], Decode(decoder, output.WrittenSpan.ToArray()));
    }

    [Fact]
    public void StaticExactMatches_AreSingleBytes()
    {
        using var encoder = new HpackEncoder();

        byte[] encoded = Encode(encoder, (":method", "POST"), (":scheme", "https"), (":status", "404"), ("accept-encoding", "gzip, deflate"));

        Assert.Equal(new byte[] { 0x83, 0x87, 0x8d, 0x90 }, encoded);
        Assert.Equal(0, encoder.Table.Count);
    }

    [Fact]
    public void IndexedFieldEvicted_IsWrittenAgainAsALiteral_NotAsItsOldIndex()
    {
        // 64 + 32 = 96 per entry: a 200-byte table holds two.
        using var encoder = new HpackEncoder(maxTableSize: 200);
        using var decoder = new HpackDecoder(maxTableSizeLimit: 200);
        encoder.SetPeerMaxTableSize(200);
        (string, string) first = ("x-first", new string('a', 57));
        Decode(decoder, Encode(encoder, first));
        Assert.Single(Encode(encoder, first));                          // now one byte: its index

        // Two more fields push it out; the next time it must be stored again, and both tables agree.
        Decode(decoder, Encode(encoder, first, ("x-second", new string('b', 56)), ("x-third", new string('c', 57))));
        byte[] again = Encode(encoder, first);

        Assert.True(again.Length > 1, "an evicted field was written as an index");
        Assert.Equal([first], Decode(decoder, again));
        Assert.Equal(Entries(encoder.Table), Entries(decoder.Table));
    }

    [Fact]
    public void TableEmptiedBySizeZero_NoFieldIsRecalledFromIt()
    {
        using var encoder = new HpackEncoder();
        using var decoder = new HpackDecoder();
        Decode(decoder, Encode(encoder, ("x-a", "1"), ("user-agent", "test/1")));

        encoder.SetPeerMaxTableSize(0);
        decoder.MaxTableSizeLimit = 0;
        Assert.Equal([("x-a", "1"), ("user-agent", "test/1")], Decode(decoder, Encode(encoder, ("x-a", "1"), ("user-agent", "test/1"))));

        encoder.SetPeerMaxTableSize(4096);
        decoder.MaxTableSizeLimit = 4096;
        Assert.Equal([("x-a", "1"), ("user-agent", "test/1")], Decode(decoder, Encode(encoder, ("x-a", "1"), ("user-agent", "test/1"))));
        Assert.Equal(Entries(encoder.Table), Entries(decoder.Table));
    }

    [Fact]
    public void ManyDistinctFields_MemoCollisionsStillEncodeEveryFieldRight()
    {
        // Far more fields than the memo has slots, each sent twice: every second sending is one index byte.
        using var encoder = new HpackEncoder();
        using var decoder = new HpackDecoder();
        (string, string)[] fields = Enumerable.Range(0, 40).Select(i => ($"x-f{i}", $"v{i}")).ToArray();
        Assert.Equal(fields, Decode(decoder, Encode(encoder, fields)));

        byte[] second = Encode(encoder, fields);

        Assert.Equal(fields, Decode(decoder, second));
        Assert.Equal(fields.Length, second.Length);
    }

    [Fact]
    public void LastModified_IsIndexed_ItRepeatsForEveryResponseOfAResource()
    {
        using var encoder = new HpackEncoder();
        (string, string) field = ("last-modified", "Fri, 27 Nov 2026 23:21:33 GMT");
        Encode(encoder, field);

        Assert.Single(Encode(encoder, field));
    }

    [Theory]
    [InlineData("A")]
    [InlineData("x-Abcdefg")]           // nine bytes: one whole word, and the letter in it
    [InlineData("x-abcdefgZ")]          // the letter in the overlapping last word
    [InlineData("abcdefghijklmnoP")]
    [InlineData("aBc")]
    public void NamesWithAnUppercaseLetterAnywhere_AreLowercased(string name)
    {
        using var encoder = new HpackEncoder();
        using var decoder = new HpackDecoder();

        Assert.Equal([(name.ToLowerInvariant(), "v")], Decode(decoder, Encode(encoder, (name, "v"))));
    }

    [Fact]
    public void BytesJustOutsideAToZ_AreLeftAsTheyAre()
    {
        using var encoder = new HpackEncoder();
        var output = new ArrayBufferWriter<byte>();

        // '@' and '[' border A..Z; 0xC1 and 0xDA are A and Z with the top bit set. A name with them is invalid, but
        // the encoder only lowercases: it must not change them.
        encoder.EncodeField([(byte)'x', (byte)'@', (byte)'[', 0xC1, 0xDA, (byte)'q', (byte)'r', (byte)'s', (byte)'t'], "v"u8, output);

        Assert.Contains(new byte[] { (byte)'x', (byte)'@', (byte)'[', 0xC1, 0xDA }, SlicesOf(output.WrittenSpan.ToArray(), 5));
    }

    [Theory]
    [InlineData("Content-Type", "content-type")]
    [InlineData("content-type", "CONTENT-TYPE")]
    [InlineData("X-Abcdefgh-Ijklmnop", "x-abcdefgh-ijklmnop")]
    public void SameFieldInAnotherCase_IsRecalledAsItsIndex(string first, string second)
    {
        using var encoder = new HpackEncoder();
        using var decoder = new HpackDecoder();
        Decode(decoder, Encode(encoder, (first, "text/plain; charset=utf-8")));

        byte[] again = Encode(encoder, (second, "text/plain; charset=utf-8"));

        Assert.Equal([0x80 | 62], again);
        Assert.Equal([(first.ToLowerInvariant(), "text/plain; charset=utf-8")], Decode(decoder, again));
    }

    [Fact]
    public void NameDifferingOnlyInAByteOutsideAToZ_IsNotRecalled()
    {
        using var encoder = new HpackEncoder();
        using var decoder = new HpackDecoder();
        // '`' and '@' differ in the bit that lowercasing sets: only A..Z may be folded.
        Decode(decoder, Encode(encoder, ("x-`", "v"), ("x-^-long-name-", "v")));

        byte[] block = Encode(encoder, ("x-@", "v"), ("x-~-long-name-", "v"));

        Assert.Equal([("x-@", "v"), ("x-~-long-name-", "v")], Decode(decoder, block));
    }

    [Fact]
    public void BlockWriter_ManyFieldsInOneBlock_SameBytesAsFieldByField()
    {
        // Values long enough that the block outgrows the writer's first span more than once.
        (string, string)[] fields = [.. Enumerable.Range(0, 40).Select(i => ($"x-field-{i % 7}", new string((char)('a' + (i % 5)), i * 13)))];
        using var oneByOne = new HpackEncoder();
        using var inBlock = new HpackEncoder();
        byte[] expected = Encode(oneByOne, fields);
        var output = new ArrayBufferWriter<byte>(16);

        var block = new HpackBlockWriter(output);
        foreach ((string name, string value) in fields)
        {
            inBlock.EncodeField(Encoding.Latin1.GetBytes(name), Encoding.Latin1.GetBytes(value), ref block);
        }
        block.Commit();

        Assert.Equal(expected, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void BlockWriter_WriterThatGivesExactlyWhatIsAsked_EveryByteArrives()
    {
        using var encoder = new HpackEncoder();
        using var decoder = new HpackDecoder();
        var output = new StingyWriter();
        (string, string)[] fields = [(":status", "200"), ("server", "meshy"), ("x-long", new string('q', 700)), ("server", "meshy")];

        var block = new HpackBlockWriter(output);
        foreach ((string name, string value) in fields)
        {
            encoder.EncodeField(Encoding.Latin1.GetBytes(name), Encoding.Latin1.GetBytes(value), ref block);
        }
        block.Commit();

        Assert.Equal(fields, Decode(decoder, output.Written.ToArray()));
        Assert.True(output.Spans >= 2, $"{output.Spans} spans");
    }

    /// <summary>An <see cref="IBufferWriter{T}"/> whose spans are exactly as long as asked, each in a fresh array.</summary>
    private sealed class StingyWriter : IBufferWriter<byte>
    {
        private byte[] _current = [];

        public List<byte> Written { get; } = [];

        public int Spans { get; private set; }

        public void Advance(int count) => Written.AddRange(_current.AsSpan(0, count).ToArray());

        public Memory<byte> GetMemory(int sizeHint = 0) => GetArray(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => GetArray(sizeHint);

        private byte[] GetArray(int sizeHint)
        {
            Spans++;
            // Poisoned: a byte the encoder did not write would show.
            _current = Enumerable.Repeat((byte)0xEE, Math.Max(sizeHint, 1)).ToArray();
            return _current;
        }
    }

    private static IEnumerable<byte[]> SlicesOf(byte[] bytes, int length) =>
        Enumerable.Range(0, bytes.Length - length + 1).Select(i => bytes[i..(i + length)]);
}
