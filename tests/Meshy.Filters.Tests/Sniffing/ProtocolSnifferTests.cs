using System.Buffers;
using System.Text;
using Meshy.Filters.Sniffing;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Sniffing;

public sealed class ProtocolSnifferTests
{
    private const string Http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    public static IEnumerable<object[]> Openings()
    {
        (string Bytes, SniffedProtocol Expected)[] cases =
        [
            ("GET / HTTP/1.1\r\nHost: a\r\n\r\n", SniffedProtocol.Http1),
            ("HEAD /x HTTP/1.0\r\n", SniffedProtocol.Http1),
            ("POST /upload HTTP/1.1\r\n", SniffedProtocol.Http1),
            ("PUT /a HTTP/1.1\r\n", SniffedProtocol.Http1),
            ("DELETE /a HTTP/1.1\r\n", SniffedProtocol.Http1),
            ("CONNECT db:5432 HTTP/1.1\r\n", SniffedProtocol.Http1),
            ("OPTIONS * HTTP/1.1\r\n", SniffedProtocol.Http1),
            ("TRACE / HTTP/1.1\r\n", SniffedProtocol.Http1),
            ("PATCH /a HTTP/1.1\r\n", SniffedProtocol.Http1),
            (Http2Preface, SniffedProtocol.Http2),
            (Http2Preface + "\0\0\x12\x04", SniffedProtocol.Http2),
            ("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", SniffedProtocol.Tcp),   // TLS ClientHello
            ("SSH-2.0-OpenSSH_9.6\r\n", SniffedProtocol.Tcp),
            ("\0\0\0\x08\x04\xd2\x16\x2f", SniffedProtocol.Tcp),                     // PostgreSQL SSLRequest
            ("get / HTTP/1.1\r\n", SniffedProtocol.Tcp),                              // methods are case-sensitive
            ("GETX / HTTP/1.1\r\n", SniffedProtocol.Tcp),                             // token must end with a space
            ("PROPFIND / HTTP/1.1\r\n", SniffedProtocol.Tcp),                         // extension methods pass through
            ("PRI * HTTP/1.1\r\n\r\n", SniffedProtocol.Tcp),                          // not the preface
            ("EHLO mail.example.com\r\n", SniffedProtocol.Tcp),
        ];
        foreach ((string bytes, SniffedProtocol expected) in cases)
        {
            foreach (SequenceShapes.Shape shape in SequenceShapes.All)
            {
                yield return [bytes, shape, expected];
            }
        }
    }

    [Theory]
    [MemberData(nameof(Openings))]
    public void Detect_Opening_InEveryShape_Decides(string opening, SequenceShapes.Shape shape, object expectedProtocol)
    {
        var expected = (SniffedProtocol)expectedProtocol;
        ReadOnlySequence<byte> buffer = SequenceShapes.Create(Latin1(opening), shape);

        Assert.Equal(expected, ProtocolSniffer.Detect(buffer));
    }

    [Theory]
    [MemberData(nameof(Openings))]
    public void Detect_EveryPrefixOfOpening_NeverDecidesWrongly(string opening, SequenceShapes.Shape shape, object expectedProtocol)
    {
        var expected = (SniffedProtocol)expectedProtocol;
        byte[] bytes = Latin1(opening);
        // The bytes arrive one read at a time: each growing prefix is either still undecided or already
        // the final answer; once decided, every longer prefix gives the same answer.
        SniffedProtocol decided = SniffedProtocol.Undecided;
        for (int length = 0; length <= bytes.Length; length++)
        {
            SniffedProtocol now = ProtocolSniffer.Detect(SequenceShapes.Create(bytes.AsSpan(0, length), shape));
            if (decided != SniffedProtocol.Undecided)
            {
                Assert.Equal(decided, now);
            }
            else if (now != SniffedProtocol.Undecided)
            {
                Assert.Equal(expected, now);
                decided = now;
            }
        }
        Assert.Equal(expected, decided);
    }

    [Theory]
    [InlineData("")]
    [InlineData("G")]
    [InlineData("GE")]
    [InlineData("GET")]
    [InlineData("P")]
    [InlineData("PU")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r")]
    [InlineData("OPTIONS")]
    [InlineData("DELET")]
    public void Detect_PrefixOfAnHttpOpening_IsUndecided(string bytes)
    {
        foreach (SequenceShapes.Shape shape in SequenceShapes.All)
        {
            Assert.Equal(SniffedProtocol.Undecided, ProtocolSniffer.Detect(SequenceShapes.Create(Latin1(bytes), shape)));
        }
    }

    [Theory]
    [InlineData("\x16", SniffedProtocol.Tcp)]          // TLS decided on its first byte
    [InlineData("S", SniffedProtocol.Tcp)]             // SSH- decided at once: no method starts with S
    [InlineData("GET ", SniffedProtocol.Http1)]        // the space completes the method
    [InlineData("PRI ", SniffedProtocol.Undecided)]    // could still be the preface
    [InlineData("PRI *", SniffedProtocol.Undecided)]
    [InlineData("PRIX", SniffedProtocol.Tcp)]
    public void Detect_ShortOpening_DecidesAsEarlyAsPossible(string bytes, object expectedProtocol)
    {
        var expected = (SniffedProtocol)expectedProtocol;
        Assert.Equal(expected, ProtocolSniffer.Detect(SequenceShapes.Create(Latin1(bytes), SequenceShapes.Shape.OneBytePerSegment)));
    }

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);
}
