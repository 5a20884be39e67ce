using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Hpack;
using static Meshy.Filters.Tests.Http2.Http2TestBytes;

namespace Meshy.Filters.Tests.Http2.Hpack;

public sealed class HpackHuffmanTests
{
    [Theory]
    [InlineData(0, 0x1ff8u, 13)]
    [InlineData(' ', 0x14u, 6)]
    [InlineData('0', 0x0u, 5)]
    [InlineData('X', 0xfcu, 8)]
    [InlineData('\\', 0x7fff0u, 19)]
    [InlineData(255, 0x3ffffeeu, 26)]
    [InlineData(HpackHuffman.Eos, 0x3fffffffu, 30)]
    public void Codes_FromTheCanonicalLengths_MatchAppendixB(int symbol, uint code, int length)
    {
        Assert.Equal(code, HpackHuffman.GetCode(symbol));
        Assert.Equal(length, HpackHuffman.GetCodeLength(symbol));
    }

    [Fact]
    public void CodeLengths_FormACompletePrefixCode()
    {
        // Kraft: a complete prefix code has sum(2^-length) == 1, computed exactly in units of 2^-30.
        long sum = 0;
        for (int symbol = 0; symbol <= HpackHuffman.Eos; symbol++)
        {
            sum += 1L << (30 - HpackHuffman.GetCodeLength(symbol));
        }
        Assert.Equal(1L << 30, sum);
    }

    [Theory]
    [InlineData("www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff")]
    [InlineData("no-cache", "a8eb 1064 9cbf")]
    [InlineData("custom-key", "25a8 49e9 5ba9 7d7f")]
    [InlineData("custom-value", "25a8 49e9 5bb8 e8b4 bf")]
    [InlineData("302", "6402")]
    [InlineData("", "")]
    public void Encode_RfcStrings_GiveTheRfcBytes(string text, string hex)
    {
        byte[] source = Ascii(text);
        var encoded = new byte[HpackHuffman.GetEncodedLength(source)];

        int written = HpackHuffman.Encode(source, encoded);

        Assert.Equal(Hex(hex), encoded[..written]);
        var decoded = new byte[HpackHuffman.GetMaxDecodedLength(written)];
        Assert.Equal(source, decoded[..HpackHuffman.Decode(encoded, decoded)]);
    }

    [Theory]
    [InlineData("www.example.com")]
    [InlineData("custom-value")]
    [InlineData("302")]
    [InlineData("0123456789abcdef0123456789abcdef01234")]      // 32 bits at a time, and a tail
    [InlineData("Fri, 27 Nov 2026 03:47:32 GMT")]
    public void EncodeIfShorter_WhenShorter_WritesWhatEncodeWrites(string text)
    {
        byte[] source = Ascii(text);
        var expected = new byte[HpackHuffman.GetEncodedLength(source)];
        expected = expected[..HpackHuffman.Encode(source, expected)];
        Assert.True(expected.Length < source.Length);

        var destination = new byte[source.Length];
        int written = HpackHuffman.EncodeIfShorter(source, destination);

        Assert.Equal(expected, destination[..written]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]                                               // 5 bits still take a whole byte
    [InlineData("6")]
    [InlineData("{}|~")]                                            // long codes
    [InlineData("XXXXXXXX")]                                        // 8-bit codes: exactly as long, not shorter
    public void EncodeIfShorter_WhenNotShorter_ReturnsMinusOne(string text)
    {
        byte[] source = Ascii(text);
        Assert.True(HpackHuffman.GetEncodedLength(source) >= source.Length);
        Assert.Equal(-1, HpackHuffman.EncodeIfShorter(source, new byte[source.Length]));
    }

    [Fact]
    public void EncodeIfShorter_AgreesWithTwoPassEncoding_OnEveryLengthAndMix()
    {
        var random = new Random(7541);
        for (int length = 0; length < 300; length++)
        {
            var source = new byte[length];
            for (int i = 0; i < length; i++)
            {
                // Mostly short codes, sometimes a long one: lengths land on both sides of the break-even.
                source[i] = random.Next(10) == 0 ? (byte)random.Next(256) : (byte)"etaoin0123456789-:/ "[random.Next(20)];
            }
            int twoPassLength = HpackHuffman.GetEncodedLength(source);
            var destination = new byte[length];
            int written = HpackHuffman.EncodeIfShorter(source, destination);
            if (twoPassLength < length)
            {
                var expected = new byte[twoPassLength];
                HpackHuffman.Encode(source, expected);
                Assert.Equal(expected, destination[..written]);
            }
            else
            {
                Assert.Equal(-1, written);
            }
        }
    }

    [Fact]
    public void RoundTrip_EveryByteValueAloneAndTogether()
    {
        for (int value = 0; value < 256; value++)
        {
            AssertRoundTrip([(byte)value]);
            AssertRoundTrip([(byte)value, (byte)value, (byte)'a', (byte)value]);
        }
        AssertRoundTrip(Enumerable.Range(0, 256).Select(v => (byte)v).ToArray());
        AssertRoundTrip(Enumerable.Range(0, 256).Select(v => (byte)(255 - v)).ToArray());
    }

    [Theory]
    [InlineData("18")]              // 'a' (00011) padded with zeros, not ones
    [InlineData("1f ff")]           // 'a' then 11 bits of padding (more than 7)
    [InlineData("ff")]              // 8 one-bits: padding only, longer than 7 bits
    [InlineData("ff ff ff fc")]     // EOS (30 ones) inside the string
    [InlineData("ff ff ff ff")]     // EOS and more
    public void Decode_InvalidPaddingOrEos_ThrowsCompressionError(string hex)
    {
        var destination = new byte[16];

        var error = Assert.Throws<Http2ProtocolException>(() => HpackHuffman.Decode(Hex(hex), destination));

        Assert.Equal(Http2ErrorCode.CompressionError, error.Code);
    }

    [Fact]
    public void Decode_PaddingOfSevenOnes_IsValid()
    {
        // "aaaaa": five 5-bit codes (00011) = 25 bits, then 7 one-bits of padding.
        byte[] encoded = Hex("18 c6 31 ff");
        var destination = new byte[8];

        Assert.Equal(Ascii("aaaaa"), destination[..HpackHuffman.Decode(encoded, destination)]);
        Assert.Equal(encoded, Huffman(Ascii("aaaaa")));
    }

    private static byte[] Huffman(byte[] source)
    {
        var encoded = new byte[HpackHuffman.GetEncodedLength(source)];
        return encoded[..HpackHuffman.Encode(source, encoded)];
    }

    private static void AssertRoundTrip(byte[] source)
    {
        var encoded = new byte[HpackHuffman.GetEncodedLength(source)];
        int written = HpackHuffman.Encode(source, encoded);
        Assert.Equal(encoded.Length, written);
        var decoded = new byte[HpackHuffman.GetMaxDecodedLength(written)];
        Assert.Equal(source, decoded[..HpackHuffman.Decode(encoded, decoded)]);
    }
}
