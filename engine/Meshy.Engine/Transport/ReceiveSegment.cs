using System.Buffers;

namespace Meshy.Engine.Transport;

/// <summary>
/// One block of a <see cref="SocketReader"/>'s buffer, linked into the sequence a read returns. Reused by its
/// reader: only the block (from the pool) comes and goes.
/// </summary>
internal sealed class ReceiveSegment : ReadOnlySequenceSegment<byte>
{
    // The block's memory, asked for once: a pooled block's Memory is a virtual call that builds it anew.
    private Memory<byte> _blockMemory;

    /// <summary>The pooled block whose first <see cref="Length"/> bytes hold received data.</summary>
    public IMemoryOwner<byte>? Block { get; private set; }

    /// <summary>The next in its reader's list of spare segments.</summary>
    public ReceiveSegment? NextSpare { get; set; }

    /// <summary>Whether the block is full.</summary>
    public bool IsFull => Length == _blockMemory.Length;

    /// <summary>Bytes received into the block so far.</summary>
    public int Length { get; private set; }

    /// <summary>The block's size: the bytes it holds once full.</summary>
    public int Capacity => _blockMemory.Length;

    /// <summary>Room left in the block.</summary>
    public Memory<byte> Free => _blockMemory[Length..];

    public void Attach(IMemoryOwner<byte> block, long runningIndex)
    {
        Block = block;
        _blockMemory = block.Memory;
        Length = 0;
        Memory = default;
        RunningIndex = runningIndex;
        Next = null;
    }

    /// <summary>Makes <paramref name="count"/> more received bytes part of the sequence.</summary>
    public void Grow(int count)
    {
        Length += count;
        Memory = _blockMemory[..Length];
    }

    public void Link(ReceiveSegment next) => Next = next;

    /// <summary>Makes this the last segment again (the one after it held nothing).</summary>
    public void Unlink() => Next = null;

    /// <summary>Returns the block to its pool.</summary>
    public void Detach()
    {
        IMemoryOwner<byte>? block = Block;
        Block = null;
        _blockMemory = default;
        Length = 0;
        Memory = default;
        Next = null;
        block?.Dispose();
    }
}
