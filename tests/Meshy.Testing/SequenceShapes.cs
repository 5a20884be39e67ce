using System.Buffers;

namespace Meshy.Testing;

/// <summary>
/// Builds the same bytes as differently shaped <see cref="ReadOnlySequence{T}"/>s. A parser must give
/// the same result for every shape: a pipe hands out whatever segmentation the socket reads produced.
/// </summary>
/// <remarks>
/// <code>
///   SingleSegment      [GET / HTTP/1.1...]                one array, offset 0
///   OneBytePerSegment  [][G][][E][][T][]...[\n][]          every byte alone, empty segments around each
///   ArrayOffset        [..\r\n|GET / HTTP/1.1...|\r\n..]     one segment inside a larger array
/// </code>
/// The guard bytes around <see cref="Shape.ArrayOffset"/> are CRLFs, so a parser that reads outside
/// its slice finds line ends it should not see and fails the test instead of passing by luck.
/// </remarks>
public static class SequenceShapes
{
    /// <summary>Where <see cref="Shape.ArrayOffset"/> places the bytes in its array.</summary>
    public const int Offset = 13;

    /// <summary>The segmentations every parser test runs through.</summary>
    public enum Shape
    {
        /// <summary>One segment at the start of its own array.</summary>
        SingleSegment,

        /// <summary>One byte per segment, with an empty segment before, between and after them.</summary>
        OneBytePerSegment,

        /// <summary>One segment at a non-zero offset inside a larger array.</summary>
        ArrayOffset,
    }

    /// <summary>Every <see cref="Shape"/>.</summary>
    public static IReadOnlyList<Shape> All { get; } = Enum.GetValues<Shape>();

    /// <summary>Every <see cref="Shape"/> as xunit <c>MemberData</c> rows.</summary>
    public static IEnumerable<object[]> AllAsData => All.Select(shape => new object[] { shape });

    /// <summary>The bytes in the given shape.</summary>
    public static ReadOnlySequence<byte> Create(ReadOnlySpan<byte> bytes, Shape shape) => shape switch
    {
        Shape.SingleSegment => SingleSegment(bytes),
        Shape.OneBytePerSegment => OneBytePerSegment(bytes),
        Shape.ArrayOffset => WithArrayOffset(bytes),
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, null),
    };

    /// <summary>The bytes as text (ASCII; <c>\r</c>, <c>\n</c> and other bytes as they are) in the given shape.</summary>
    public static ReadOnlySequence<byte> Create(string text, Shape shape) => Create(Bytes(text), shape);

    /// <summary>One segment, one array.</summary>
    public static ReadOnlySequence<byte> SingleSegment(ReadOnlySpan<byte> bytes) => new(bytes.ToArray());

    /// <summary>Every byte in a segment of its own, an empty segment before, between and after.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(ReadOnlySpan<byte> bytes)
    {
        var chunks = new List<ReadOnlyMemory<byte>>((bytes.Length * 2) + 1) { ReadOnlyMemory<byte>.Empty };
        foreach (byte value in bytes)
        {
            chunks.Add(new[] { value });
            chunks.Add(ReadOnlyMemory<byte>.Empty);
        }
        return FromChunks(chunks);
    }

    /// <summary>One segment at <see cref="Offset"/> in an array padded with CRLF guard bytes on both sides.</summary>
    public static ReadOnlySequence<byte> WithArrayOffset(ReadOnlySpan<byte> bytes)
    {
        var array = new byte[Offset + bytes.Length + Offset];
        for (int i = 0; i < Offset; i++)
        {
            array[Offset - 1 - i] = i % 2 == 0 ? (byte)'\n' : (byte)'\r';      // "...\r\n" just before
            array[Offset + bytes.Length + i] = i % 2 == 0 ? (byte)'\r' : (byte)'\n'; // "\r\n..." just after
        }
        bytes.CopyTo(array.AsSpan(Offset));
        return new ReadOnlySequence<byte>(array, Offset, bytes.Length);
    }

    /// <summary>A sequence whose segments are exactly <paramref name="chunks"/> (empty ones included).</summary>
    public static ReadOnlySequence<byte> FromChunks(params byte[][] chunks) =>
        FromChunks(chunks.Select(chunk => (ReadOnlyMemory<byte>)chunk));

    /// <summary>A sequence whose segments are exactly <paramref name="chunks"/> (empty ones included).</summary>
    public static ReadOnlySequence<byte> FromChunks(IEnumerable<ReadOnlyMemory<byte>> chunks)
    {
        Segment? first = null;
        Segment? last = null;
        foreach (ReadOnlyMemory<byte> chunk in chunks)
        {
            last = last is null ? (first = new Segment(chunk, 0)) : last.Append(chunk);
        }
        if (first is null || last is null)
        {
            return ReadOnlySequence<byte>.Empty;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>The bytes cut at each of the ascending <paramref name="positions"/> into separate segments.</summary>
    public static ReadOnlySequence<byte> SplitAt(ReadOnlySpan<byte> bytes, params int[] positions)
    {
        byte[] copy = bytes.ToArray();
        var chunks = new List<ReadOnlyMemory<byte>>(positions.Length + 1);
        int start = 0;
        foreach (int position in positions)
        {
            if (position < start || position > copy.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(positions), position, "positions must ascend within the bytes");
            }
            chunks.Add(copy.AsMemory(start, position - start));
            start = position;
        }
        chunks.Add(copy.AsMemory(start));
        return FromChunks(chunks);
    }

    /// <summary>The bytes of a test string: each char is one byte (so <c>"\u00e9"</c> is the obs-text byte 0xE9).</summary>
    public static byte[] Bytes(string text)
    {
        var bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] > 0xFF)
            {
                throw new ArgumentException($"char {(int)text[i]:X4} at {i} is not a single byte", nameof(text));
            }
            bytes[i] = (byte)text[i];
        }
        return bytes;
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
