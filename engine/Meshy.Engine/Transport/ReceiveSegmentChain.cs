using System.Buffers;

namespace Meshy.Engine.Transport;

/// <summary>
/// The blocks a reader holds, linked as one sequence: unconsumed bytes run from (<see cref="Head"/>,
/// <see cref="HeadIndex"/>) to the end of <see cref="Tail"/>. Blocks come from a pool as bytes are written into
/// the tail and go back as they are consumed; segment objects are kept for the next blocks. A mutable struct
/// embedded in its owner (<see cref="SocketReader"/>, <see cref="Http.HttpBodyBuffer"/>), which synchronizes.
/// </summary>
internal struct ReceiveSegmentChain
{
    // Spares kept per chain, whatever it once held: a message over several blocks needs as many segments every
    // time, and a single spare would make each extra one an allocation per message. A few KiB at most.
    private const int MaxSpareSegments = 64;

    private ReceiveSegment? _spareSegments;
    private int _spareCount;

    /// <summary>The first segment with unconsumed bytes; null when nothing is held.</summary>
    public ReceiveSegment? Head;

    /// <summary>Where the unconsumed bytes start in <see cref="Head"/>.</summary>
    public int HeadIndex;

    /// <summary>The last segment, the one written into.</summary>
    public ReceiveSegment? Tail;

    /// <summary>The unconsumed bytes, up to the tail's current end.</summary>
    public readonly ReadOnlySequence<byte> ToSequence() =>
        Head is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(Head, HeadIndex, Tail!, Tail!.Length);

    /// <summary>Bytes held and not consumed.</summary>
    public readonly long Length => Head is null ? 0 : Tail!.RunningIndex + Tail.Length - (Head.RunningIndex + HeadIndex);

    /// <summary>The block to write into: the tail while it has room, else a new one from <paramref name="pool"/> linked after it.</summary>
    public ReceiveSegment ReserveTail(MemoryPool<byte> pool)
    {
        ReceiveSegment? tail = Tail;
        if (tail is not null && !tail.IsFull)
        {
            return tail;
        }
        return Append(pool, tail is null ? 0 : tail.RunningIndex + tail.Length);
    }

    /// <summary>
    /// A new block linked after the tail (which keeps its room), for a receive into both: bytes reach the new block
    /// only once the tail is full, so its running index counts the tail as full. If it gets none,
    /// <see cref="ReleaseEmptyTail"/> takes it back.
    /// </summary>
    public ReceiveSegment ReserveOverflow(MemoryPool<byte> pool)
    {
        ReceiveSegment tail = Tail!;
        return Append(pool, tail.RunningIndex + tail.Capacity);
    }

    /// <summary>The block of <see cref="ReserveOverflow"/> after a receive that left it empty: <paramref name="first"/> is the tail again.</summary>
    public void ReleaseOverflow(ReceiveSegment first)
    {
        ReceiveSegment overflow = Tail!;
        first.Unlink();
        Tail = first;
        Recycle(overflow);
    }

    private ReceiveSegment Append(MemoryPool<byte> pool, long runningIndex)
    {
        ReceiveSegment? tail = Tail;
        ReceiveSegment? segment = _spareSegments;
        if (segment is null)
        {
            segment = new ReceiveSegment();
        }
        else
        {
            _spareSegments = segment.NextSpare;
            segment.NextSpare = null;
            _spareCount--;
        }
        segment.Attach(pool.Rent(), runningIndex);
        if (tail is null)
        {
            Head = segment;
            HeadIndex = 0;
        }
        else
        {
            tail.Link(segment);
        }
        Tail = segment;
        return segment;
    }

    /// <summary>After a write that brought nothing: a block just reserved for it goes back.</summary>
    public void ReleaseEmptyTail()
    {
        ReceiveSegment? tail = Tail;
        if (tail is null || tail.Length > 0)
        {
            return;
        }
        if (ReferenceEquals(Head, tail))
        {
            Head = Tail = null;
            HeadIndex = 0;
        }
        else
        {
            ReceiveSegment previous = Head!;
            while (!ReferenceEquals(previous.Next, tail))
            {
                previous = (ReceiveSegment)previous.Next!;
            }
            previous.Unlink();
            Tail = previous;
        }
        Recycle(tail);
    }

    /// <summary>
    /// Consumes up to <paramref name="index"/> in <paramref name="segment"/>: the blocks before it go back, and the
    /// last one too when everything is consumed (an idle reader holds none). False when the segment is not held.
    /// </summary>
    public bool ConsumeTo(ReceiveSegment segment, int index)
    {
        while (!ReferenceEquals(Head, segment))
        {
            ReceiveSegment? released = Head;
            if (released?.Next is not ReceiveSegment next)
            {
                return false;       // not held (the chain stays whole from where the search stopped)
            }
            Head = next;
            Recycle(released);
        }
        HeadIndex = index;
        if (ReferenceEquals(Head, Tail) && HeadIndex == Tail!.Length)
        {
            Recycle(Tail);
            Head = Tail = null;
            HeadIndex = 0;
        }
        return true;
    }

    /// <summary>Every block goes back to its pool.</summary>
    public void ReleaseAll()
    {
        ReceiveSegment? segment = Head;
        Head = Tail = null;
        HeadIndex = 0;
        while (segment is not null)
        {
            var next = (ReceiveSegment?)segment.Next;
            Recycle(segment);
            segment = next;
        }
    }

    private void Recycle(ReceiveSegment segment)
    {
        segment.Detach();
        if (_spareCount < MaxSpareSegments)
        {
            segment.NextSpare = _spareSegments;
            _spareSegments = segment;
            _spareCount++;
        }
    }
}
