using System.Buffers;
using Meshy.Filters.Http2.Hpack;
using Meshy.Testing;
using static Meshy.Filters.Tests.Http2.Hpack.HpackTestSupport;
using static Meshy.Filters.Tests.Http2.Http2TestBytes;

namespace Meshy.Filters.Tests.Http2.Hpack;

/// <summary>RFC 7541 Appendix C, every example, with the dynamic table after each block.</summary>
public sealed class HpackRfcExamplesTests
{
    private const string Date21 = "Mon, 21 Oct 2013 20:13:21 GMT";
    private const string Date22 = "Mon, 21 Oct 2013 20:13:22 GMT";
    private const string Location = "https://www.example.com";
    private const string Cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";

    // C.1: integers.
    [Theory]
    [InlineData(10, 5, "0a")]            // C.1.1
    [InlineData(1337, 5, "1f9a0a")]      // C.1.2
    [InlineData(42, 8, "2a")]            // C.1.3
    [InlineData(31, 5, "1f00")]          // exactly the prefix maximum
    [InlineData(int.MaxValue, 5, "1fe0ffffff07")]
    public void Integer_RfcExamples_EncodeAndDecode(int value, int prefixBits, string hex)
    {
        var encoded = new byte[HpackInteger.MaxLength];
        int length = HpackInteger.Encode(encoded, value, prefixBits, 0);
        int offset = 0;

        Assert.Equal(Hex(hex), encoded[..length]);
        Assert.Equal(value, HpackInteger.Decode(Hex(hex), ref offset, prefixBits));
        Assert.Equal(length, offset);
    }

    [Fact]
    public void Integer_BitsAbovePrefix_AreIgnoredOnDecodeAndSetOnEncode()
    {
        var encoded = new byte[HpackInteger.MaxLength];
        int offset = 0;

        Assert.Equal(1, HpackInteger.Encode(encoded, 10, 5, 0xe0));
        Assert.Equal(0xea, encoded[0]);
        Assert.Equal(10, HpackInteger.Decode(encoded, ref offset, 5));
    }

    // C.2: one field each.
    [Fact]
    public void C2_1_LiteralWithIndexing_AddsToTable()
    {
        using var decoder = new HpackDecoder();

        Assert.Equal([("custom-key", "custom-header")],
            Decode(decoder, Hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")));

        Assert.Equal([("custom-key", "custom-header")], Entries(decoder.Table));
        Assert.Equal(55, decoder.Table.Size);
    }

    [Fact]
    public void C2_2_LiteralWithoutIndexing_LeavesTableEmpty()
    {
        using var decoder = new HpackDecoder();

        Assert.Equal([(":path", "/sample/path")], Decode(decoder, Hex("040c 2f73 616d 706c 652f 7061 7468")));

        Assert.Equal(0, decoder.Table.Count);
    }

    [Fact]
    public void C2_3_NeverIndexed_IsFlaggedAndNotAdded()
    {
        using var decoder = new HpackDecoder();
        var collector = new FieldCollector();

        decoder.Decode(Hex("1008 7061 7373 776f 7264 0673 6563 7265 74"), ref collector);

        Assert.Equal([("password", "secret", true)], collector.Fields);
        Assert.Equal(0, decoder.Table.Count);
    }

    [Fact]
    public void C2_4_Indexed_ReadsStaticEntry()
    {
        using var decoder = new HpackDecoder();

        Assert.Equal([(":method", "GET")], Decode(decoder, Hex("82")));

        Assert.Equal(0, decoder.Table.Count);
    }

    // C.3 and C.4: three requests on one connection, without and with Huffman coding.
    private static readonly (string Name, string Value)[][] Requests =
    [
        [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")],
        [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"), ("cache-control", "no-cache")],
        [(":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value")],
    ];

    private static readonly (string Name, string Value)[][] RequestTables =
    [
        [(":authority", "www.example.com")],
        [("cache-control", "no-cache"), (":authority", "www.example.com")],
        [("custom-key", "custom-value"), ("cache-control", "no-cache"), (":authority", "www.example.com")],
    ];

    private static readonly int[] RequestTableSizes = [57, 110, 164];

    private static readonly string[] C3 =
    [
        "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        "8286 84be 5808 6e6f 2d63 6163 6865",
        "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
    ];

    private static readonly string[] C4 =
    [
        "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
        "8286 84be 5886 a8eb 1064 9cbf",
        "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
    ];

    [Fact]
    public void C3_RequestsWithoutHuffman_DecodeWithTableAfterEach() => AssertRequests(C3);

    [Fact]
    public void C4_RequestsWithHuffman_DecodeWithTableAfterEach() => AssertRequests(C4);

    [Fact]
    public void C4_Encoder_ProducesTheRfcBytesAndTables()
    {
        using var encoder = new HpackEncoder();
        for (int i = 0; i < Requests.Length; i++)
        {
            Assert.Equal(Hex(C4[i]), Encode(encoder, Requests[i]));
            Assert.Equal(RequestTables[i], Entries(encoder.Table));
            Assert.Equal(RequestTableSizes[i], encoder.Table.Size);
        }
    }

    // C.5 and C.6: three responses with a 256-byte table, so entries get evicted.
    private static readonly (string Name, string Value)[][] Responses =
    [
        [(":status", "302"), ("cache-control", "private"), ("date", Date21), ("location", Location)],
        [(":status", "307"), ("cache-control", "private"), ("date", Date21), ("location", Location)],
        [(":status", "200"), ("cache-control", "private"), ("date", Date22), ("location", Location), ("content-encoding", "gzip"), ("set-cookie", Cookie)],
    ];

    private static readonly (string Name, string Value)[][] ResponseTables =
    [
        [("location", Location), ("date", Date21), ("cache-control", "private"), (":status", "302")],
        [(":status", "307"), ("location", Location), ("date", Date21), ("cache-control", "private")],
        [("set-cookie", Cookie), ("content-encoding", "gzip"), ("date", Date22)],
    ];

    private static readonly int[] ResponseTableSizes = [222, 222, 215];

    private static readonly string[] C5 =
    [
        "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        "4803 3330 37c1 c0bf",
        "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31",
    ];

    private static readonly string[] C6 =
    [
        "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
        "4883 640e ffc1 c0bf",
        "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07",
    ];

    [Fact]
    public void C5_ResponsesWithoutHuffman_DecodeWithEvictionAndTableAfterEach() => AssertResponses(C5);

    [Fact]
    public void C6_ResponsesWithHuffman_DecodeWithEvictionAndTableAfterEach() => AssertResponses(C6);

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void C6_BlocksInAnySequenceShape_DecodeTheSame(SequenceShapes.Shape shape)
    {
        using var decoder = new HpackDecoder(maxTableSizeLimit: 256);
        for (int i = 0; i < C6.Length; i++)
        {
            var collector = new FieldCollector();
            ReadOnlySequence<byte> block = SequenceShapes.Create(Hex(C6[i]), shape);

            decoder.Decode(block, ref collector);

            Assert.Equal(Responses[i], collector.Fields.Select(f => (f.Name, f.Value)));
        }
    }

    private static void AssertRequests(string[] blocks)
    {
        using var decoder = new HpackDecoder();
        for (int i = 0; i < blocks.Length; i++)
        {
            Assert.Equal(Requests[i], Decode(decoder, Hex(blocks[i])));
            Assert.Equal(RequestTables[i], Entries(decoder.Table));
            Assert.Equal(RequestTableSizes[i], decoder.Table.Size);
        }
    }

    private static void AssertResponses(string[] blocks)
    {
        using var decoder = new HpackDecoder(maxTableSizeLimit: 256);
        for (int i = 0; i < blocks.Length; i++)
        {
            Assert.Equal(Responses[i], Decode(decoder, Hex(blocks[i])));
            Assert.Equal(ResponseTables[i], Entries(decoder.Table));
            Assert.Equal(ResponseTableSizes[i], decoder.Table.Size);
        }
    }
}
