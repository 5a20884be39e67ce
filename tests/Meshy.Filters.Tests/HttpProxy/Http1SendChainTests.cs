using System.Buffers;
using Meshy.Filters.Http1;
using Meshy.Testing;

namespace Meshy.Filters.Tests.HttpProxy;

/// <summary>The chain that joins proxy-written framing and received body slices into one gathered send.</summary>
public sealed class Http1SendChainTests
{
    [Fact]
    public void Build_FramingAroundMultiSegmentBody_YieldsBytesInOrderWithoutCopyingBody()
    {
        byte[] body = "hello world"u8.ToArray();
        ReadOnlySequence<byte> received = SequenceShapes.FromChunks(body[..5], body[5..8], body[8..]);
        var chain = new Http1SendChain();

        chain.Append("b\r\n"u8.ToArray());
        chain.Append(received);
        chain.Append(ReadOnlyMemory<byte>.Empty);
        chain.Append("\r\n0\r\n\r\n"u8.ToArray());
        ReadOnlySequence<byte> built = chain.Build();

        Assert.Equal("b\r\nhello world\r\n0\r\n\r\n"u8.ToArray(), built.ToArray());
        Assert.Equal(built.Length, chain.Length);
        Assert.Equal(1 + 3 + 1, CountSegments(built));              // empty memory is skipped
        Assert.True(MemoryMarshalEquals(received.First, built.Slice(3).First));
    }

    [Fact]
    public void Build_AfterClear_ReusesSegmentsAndForgetsOldBytes()
    {
        var chain = new Http1SendChain();
        chain.Append("first"u8.ToArray());
        chain.Append("second"u8.ToArray());
        _ = chain.Build();

        chain.Clear();
        chain.Append("x"u8.ToArray());

        Assert.Equal("x"u8.ToArray(), chain.Build().ToArray());
        Assert.Equal(1, chain.Length);
    }

    private static int CountSegments(ReadOnlySequence<byte> sequence)
    {
        int count = 0;
        foreach (ReadOnlyMemory<byte> _ in sequence)
        {
            count++;
        }
        return count;
    }

    private static bool MemoryMarshalEquals(ReadOnlyMemory<byte> a, ReadOnlyMemory<byte> b) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(a, out ArraySegment<byte> x)
        && System.Runtime.InteropServices.MemoryMarshal.TryGetArray(b, out ArraySegment<byte> y)
        && ReferenceEquals(x.Array, y.Array) && x.Offset == y.Offset;
}
