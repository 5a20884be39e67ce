using Meshy.Filters.HttpConnectionManager;
using Meshy.Testing;
using Result = Meshy.Filters.HttpConnectionManager.Http2PrefaceDetector.Result;

namespace Meshy.Filters.Tests.Http2Proxy;

public sealed class Http2PrefaceDetectorTests
{
    private const string Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void Decide_FullPrefaceAndFrames_IsHttp2(SequenceShapes.Shape shape) =>
        Assert.Equal(Result.Http2, Http2PrefaceDetector.Decide(SequenceShapes.Create(Preface + "\0\0\0\x04\0\0\0\0\0", shape), completed: false));

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void Decide_EveryProperPrefixOfThePreface_Waits(SequenceShapes.Shape shape)
    {
        for (int length = 1; length < Preface.Length; length++)
        {
            Assert.Null(Http2PrefaceDetector.Decide(SequenceShapes.Create(Preface[..length], shape), completed: false));
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("P")]                     // decided only once a byte differs: see the next case
    [InlineData("PRI * HTTP/1.1\r\n")]
    [InlineData("POST /")]
    public void Decide_NotThePreface_IsHttp1OrWaits(string opening)
    {
        Result? result = Http2PrefaceDetector.Decide(SequenceShapes.Create(opening, SequenceShapes.Shape.OneBytePerSegment), completed: false);
        Assert.Equal(Preface.StartsWith(opening, StringComparison.Ordinal) ? null : Result.Http1, result);
    }

    [Fact]
    public void Decide_PartialPrefaceThenEnd_IsHttp1AndEmptyEndIsClosed()
    {
        Assert.Equal(Result.Http1, Http2PrefaceDetector.Decide(SequenceShapes.Create("PRI * ", SequenceShapes.Shape.OneBytePerSegment), completed: true));
        Assert.Equal(Result.Closed, Http2PrefaceDetector.Decide(default, completed: true));
        Assert.Null(Http2PrefaceDetector.Decide(default, completed: false));
    }
}
