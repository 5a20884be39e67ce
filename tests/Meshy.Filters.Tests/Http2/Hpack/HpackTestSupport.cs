using System.Buffers;
using System.Text;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Hpack;

namespace Meshy.Filters.Tests.Http2.Hpack;

/// <summary>Shared steps of the HPACK tests.</summary>
internal static class HpackTestSupport
{
    /// <summary>Decodes one block; returns the fields.</summary>
    public static List<(string Name, string Value)> Decode(HpackDecoder decoder, byte[] block)
    {
        var collector = new FieldCollector();
        Assert.Equal(HpackDecodeResult.Complete, decoder.Decode(block, ref collector));
        return collector.Fields.Select(f => (f.Name, f.Value)).ToList();
    }

    /// <summary>The entries of a dynamic table, newest first.</summary>
    public static List<(string Name, string Value)> Entries(HpackDynamicTable table) =>
        Enumerable.Range(0, table.Count)
            .Select(i => (Encoding.Latin1.GetString(table.GetName(i)), Encoding.Latin1.GetString(table.GetValue(i))))
            .ToList();

    /// <summary>Encodes the fields as one block.</summary>
    public static byte[] Encode(HpackEncoder encoder, params (string Name, string Value)[] fields)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach ((string name, string value) in fields)
        {
            encoder.EncodeField(Encoding.Latin1.GetBytes(name), Encoding.Latin1.GetBytes(value), output);
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A COMPRESSION_ERROR connection error from decoding <paramref name="block"/>.</summary>
    public static void AssertCompressionError(HpackDecoder decoder, byte[] block)
    {
        var collector = new FieldCollector();
        var error = Assert.Throws<Http2ProtocolException>(() => decoder.Decode(block, ref collector));
        Assert.Equal(Http2ErrorCode.CompressionError, error.Code);
        Assert.Equal(Http2ErrorScope.Connection, error.Scope);
    }
}
