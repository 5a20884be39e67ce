using System.Buffers;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http1;

public sealed class SequenceShapesTests
{
    private static readonly byte[] Bytes = [1, 2, 3, 4, 5];

    [Theory]
    [MemberData(nameof(SequenceShapes.AllAsData), MemberType = typeof(SequenceShapes))]
    public void Create_AnyShape_HoldsExactlyTheBytes(SequenceShapes.Shape shape)
    {
        ReadOnlySequence<byte> sequence = SequenceShapes.Create(Bytes, shape);

        Assert.Equal(Bytes, sequence.ToArray());
    }

    [Fact]
    public void OneBytePerSegment_FiveBytes_HasElevenSegmentsWithEmptyOnesBetween()
    {
        var lengths = new List<int>();
        foreach (ReadOnlyMemory<byte> segment in SequenceShapes.OneBytePerSegment(Bytes))
        {
            lengths.Add(segment.Length);
        }

        Assert.Equal([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0], lengths);
    }

    [Fact]
    public void WithArrayOffset_Bytes_StartAtANonZeroOffsetInsideGuardBytes()
    {
        ReadOnlySequence<byte> sequence = SequenceShapes.WithArrayOffset(Bytes);

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(sequence.First, out ArraySegment<byte> segment));
        Assert.Equal(SequenceShapes.Offset, segment.Offset);
        Assert.Equal((byte)'\n', segment.Array![segment.Offset - 1]);
        Assert.Equal((byte)'\r', segment.Array[segment.Offset + Bytes.Length]);
    }

    [Fact]
    public void SplitAt_Positions_CutsIntoThoseSegments()
    {
        var lengths = new List<int>();
        foreach (ReadOnlyMemory<byte> segment in SequenceShapes.SplitAt(Bytes, 0, 2, 2, 5))
        {
            lengths.Add(segment.Length);
        }

        Assert.Equal([0, 2, 0, 3, 0], lengths);
    }
}
