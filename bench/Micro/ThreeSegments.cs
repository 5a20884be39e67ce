using System.Buffers;

namespace Meshy.Bench.Micro;

/// <summary>The multi-segment input of the parsing benchmarks: the same bytes cut into three segments, as a pipe would hand them over.</summary>
internal static class ThreeSegments
{
    /// <summary><paramref name="bytes"/> cut at <paramref name="first"/> and <paramref name="second"/>.</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, int first, int second)
    {
        var head = new Segment(bytes.AsMemory(0, first), 0);
        Segment tail = head.Append(bytes.AsMemory(first, second - first)).Append(bytes.AsMemory(second));
        return new ReadOnlySequence<byte>(head, 0, tail, tail.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
