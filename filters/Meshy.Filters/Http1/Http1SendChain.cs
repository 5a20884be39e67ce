using System.Buffers;

namespace Meshy.Filters.Http1;

/// <summary>
/// Joins the bytes the proxy wrote itself (a head, a chunk-size line, the last chunk) and body bytes still
/// in their receive buffers into one <see cref="ReadOnlySequence{T}"/>, so <c>SocketSender</c> hands them
/// to the kernel in one gathered send instead of one send each. Per connection; its segment objects are
/// reused, so building a sequence allocates nothing once the chain has grown to the connection's needs.
/// </summary>
/// <remarks>
/// <code>
///   [head + chunk-size line] → [body slice 1] → [body slice 2] → ... → [CRLF 0 CRLF trailers CRLF]
///    Http1OutputBuffer          pipe segments (not copied)             Http1OutputBuffer
/// </code>
/// The memory appended must stay valid until the send completes; the chain only references it.
/// </remarks>
internal sealed class Http1SendChain
{
    private readonly List<Segment> _segments = [];
    private int _count;
    private long _length;

    /// <summary>Bytes appended since <see cref="Clear"/>.</summary>
    public long Length => _length;

    /// <summary>Forgets the appended memory (the segment objects stay for reuse).</summary>
    public void Clear()
    {
        for (int i = 0; i < _count; i++)
        {
            _segments[i].Reset();
        }
        _count = 0;
        _length = 0;
    }

    /// <summary>Appends <paramref name="memory"/> (nothing when empty).</summary>
    public void Append(ReadOnlyMemory<byte> memory)
    {
        if (memory.IsEmpty)
        {
            return;
        }
        if (_count == _segments.Count)
        {
            _segments.Add(new Segment());
        }
        Segment segment = _segments[_count];
        segment.Set(memory, _length);
        if (_count > 0)
        {
            _segments[_count - 1].Link(segment);
        }
        _count++;
        _length += memory.Length;
    }

    /// <summary>Appends every segment of <paramref name="sequence"/>, by reference.</summary>
    public void Append(in ReadOnlySequence<byte> sequence)
    {
        if (sequence.IsSingleSegment)
        {
            Append(sequence.First);
            return;
        }
        foreach (ReadOnlyMemory<byte> memory in sequence)
        {
            Append(memory);
        }
    }

    /// <summary>The appended memory as one sequence; valid until the next <see cref="Clear"/> or append.</summary>
    public ReadOnlySequence<byte> Build() => _count switch
    {
        0 => ReadOnlySequence<byte>.Empty,
        1 => new ReadOnlySequence<byte>(_segments[0].Memory),
        _ => new ReadOnlySequence<byte>(_segments[0], 0, _segments[_count - 1], _segments[_count - 1].Memory.Length),
    };

    /// <summary>A reusable link of the chain.</summary>
    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public void Set(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
            Next = null;
        }

        public void Link(Segment next) => Next = next;

        public void Reset()
        {
            Memory = default;
            Next = null;
        }
    }
}
