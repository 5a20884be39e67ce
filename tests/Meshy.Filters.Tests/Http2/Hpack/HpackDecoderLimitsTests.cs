using Meshy.Filters.Http2.Hpack;
using static Meshy.Filters.Tests.Http2.Hpack.HpackTestSupport;
using static Meshy.Filters.Tests.Http2.Http2TestBytes;

namespace Meshy.Filters.Tests.Http2.Hpack;

public sealed class HpackDecoderLimitsTests
{
    [Fact]
    public void SizeUpdate_AboveTheAdvertisedLimit_IsCompressionError()
    {
        using var decoder = new HpackDecoder(maxTableSizeLimit: 4096);

        AssertCompressionError(decoder, [.. SizeUpdate(4097), 0x82]);
    }

    [Fact]
    public void SizeUpdate_AtTheLimitAndSeveralAtTheStart_AreApplied()
    {
        using var decoder = new HpackDecoder(maxTableSizeLimit: 4096);
        Decode(decoder, Hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"));

        // RFC 7541 §4.2: the smallest size first (0 empties the table), then the final one.
        Assert.Equal([(":method", "GET")], Decode(decoder, [.. SizeUpdate(0), .. SizeUpdate(4096), 0x82]));

        Assert.Equal(0, decoder.Table.Count);
        Assert.Equal(4096, decoder.Table.MaxSize);
    }

    [Fact]
    public void SizeUpdate_Lowered_EvictsDownToTheNewSize()
    {
        using var decoder = new HpackDecoder();
        Decode(decoder, Hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"));  // 55 bytes
        Decode(decoder, Hex("4004 6b65 7931 0176"));                                              // key1: v, 36 bytes

        Decode(decoder, [.. SizeUpdate(40), 0x82]);

        Assert.Equal([("key1", "v")], Entries(decoder.Table));
    }

    [Fact]
    public void SizeUpdate_AfterAField_IsCompressionError()
    {
        using var decoder = new HpackDecoder();

        AssertCompressionError(decoder, [0x82, .. SizeUpdate(100)]);
    }

    [Theory]
    [InlineData("ff ff ff ff ff 0f")]           // index 2^32 + ...: above 2^31-1
    [InlineData("ff 80 80 80 80 80 01")]         // too many continuation bytes
    [InlineData("ff 80 80 80 80 08")]            // 127 + 2^31: one past the limit
    [InlineData("ff")]                           // block ends inside the integer
    [InlineData("3f ff ff ff ff 0f")]            // size update overflowing
    public void Integer_OverflowOrTruncated_IsCompressionError(string hex)
    {
        using var decoder = new HpackDecoder();

        AssertCompressionError(decoder, Hex(hex));
    }

    [Theory]
    [InlineData("40 7f ff ff ff 07 61")]         // literal name of 2^28+126 bytes, one byte there
    [InlineData("40 03 61 62")]                  // name of 3 bytes, 2 there
    [InlineData("40 01 61")]                     // name, then the block ends before the value
    [InlineData("0f 2d 05 61")]                  // value of 5 bytes, 1 there (name index 60)
    public void StringLength_BeyondTheBlock_IsCompressionError(string hex)
    {
        using var decoder = new HpackDecoder();

        AssertCompressionError(decoder, Hex(hex));
    }

    [Theory]
    [InlineData("80")]                           // index 0
    [InlineData("be")]                           // 62: the dynamic table is empty
    [InlineData("7f 00 01 61")]                  // literal with a name index of 63 (empty table)
    public void Index_OutOfRange_IsCompressionError(string hex)
    {
        using var decoder = new HpackDecoder();

        AssertCompressionError(decoder, Hex(hex));
    }

    [Fact]
    public void Index_LastDynamicEntry_ResolvesAndOnePastIsAnError()
    {
        using var decoder = new HpackDecoder();
        Decode(decoder, Hex("4004 6b65 7931 0176 4004 6b65 7932 0177"));                         // key1: v, key2: w

        Assert.Equal([("key2", "w"), ("key1", "v")], Decode(decoder, Hex("be bf")));
        AssertCompressionError(decoder, Hex("c0"));
    }

    [Theory]
    [InlineData("00 01 61 81 18")]               // value "a" with zero padding
    [InlineData("00 01 61 82 1f ff")]            // padding longer than 7 bits
    [InlineData("00 01 61 84 ff ff ff fc")]      // EOS
    public void Huffman_BadPaddingOrEos_IsCompressionError(string hex)
    {
        using var decoder = new HpackDecoder();

        AssertCompressionError(decoder, Hex(hex));
    }

    [Fact]
    public void HeaderList_OverTheLimit_IsReportedAndTheTableStaysInSync()
    {
        using var decoder = new HpackDecoder(maxHeaderListSize: 100);
        byte[] indexed = Hex("4004 6b65 7931 0176 4004 6b65 7932 0177 4004 6b65 7933 0178");        // key1..key3, 37 bytes each
        var collector = new FieldCollector();

        HpackDecodeResult result = decoder.Decode(indexed, ref collector);

        Assert.Equal(HpackDecodeResult.HeaderListTooLarge, result);
        Assert.Equal([("key1", "v", false), ("key2", "w", false)], collector.Fields);   // 74 ≤ 100 < 111
        Assert.Equal([("key3", "x"), ("key2", "w"), ("key1", "v")], Entries(decoder.Table));

        // The next block refers to the entry added after the limit: the tables still agree.
        Assert.Equal([("key3", "x"), ("key1", "v")], Decode(decoder, Hex("be c0")));
    }

    [Fact]
    public void HeaderList_ExactlyAtTheLimit_IsComplete()
    {
        using var decoder = new HpackDecoder(maxHeaderListSize: 74);
        var collector = new FieldCollector();

        Assert.Equal(HpackDecodeResult.Complete, decoder.Decode(Hex("4004 6b65 7931 0176 4004 6b65 7932 0177"), ref collector));
        Assert.Equal(2, collector.Fields.Count);
    }

    [Fact]
    public void LiteralWithIndexing_NameFromAnEntryItEvicts_KeepsTheName()
    {
        // Table of 60 bytes holds one entry; adding a field named after it evicts it first (§4.4).
        using var decoder = new HpackDecoder(maxTableSizeLimit: 60);
        Decode(decoder, Hex("4004 6b65 7931 0176"));                                              // key1: v

        Assert.Equal([("key1", "second")], Decode(decoder, Hex("7e 06 7365 636f 6e64")));         // name index 62

        Assert.Equal([("key1", "second")], Entries(decoder.Table));
    }

    [Fact]
    public void LiteralWithIndexing_LargerThanTheTable_EmptiesItAndIsStillDelivered()
    {
        using var decoder = new HpackDecoder(maxTableSizeLimit: 40);
        Decode(decoder, Hex("4004 6b65 7931 0176"));

        Assert.Equal([("key1", "a-long-value")], Decode(decoder, Hex("40 04 6b65 7931 0c 612d 6c6f 6e67 2d76 616c 7565")));

        Assert.Equal(0, decoder.Table.Count);
        Assert.Equal(0, decoder.Table.Size);
    }

    private static byte[] SizeUpdate(int size)
    {
        var bytes = new byte[HpackInteger.MaxLength];
        return bytes[..HpackInteger.Encode(bytes, size, 5, 0x20)];
    }
}
