using System.Buffers;
using System.Collections.Concurrent;

namespace Meshy.Engine.Transport;

/// <summary>
/// The memory every pipe of Meshy receives into: fixed-size blocks allocated once on the pinned
/// object heap and reused forever after. <see cref="ArrayPool{T}.Shared"/> keeps only a few arrays
/// per core, so a proxy that fills its pipes under load rents past it, allocates fresh arrays and
/// grows the GC heap (peak RSS of 130+ MiB with four busy connections); here a returned block is
/// always kept, so memory is the peak of buffers in use and steady state allocates nothing.
/// Pinned blocks also spare the socket layer from pinning on every receive and send.
/// </summary>
public sealed class BlockMemoryPool : MemoryPool<byte>
{
    /// <summary>Size of every block; pipes' minimum segment size must not exceed it.</summary>
    public const int DefaultBlockSize = 16 * 1024;

    private readonly ConcurrentStack<PooledBlock> _free = new();
    private long _allocated;

    public BlockMemoryPool(int blockSize = DefaultBlockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 256);
        BlockSize = blockSize;
    }

    /// <summary>The process-wide pool.</summary>
    public static BlockMemoryPool Default { get; } = new();

    /// <summary>Bytes per block.</summary>
    public int BlockSize { get; }

    /// <summary>The largest rent served from the pool (<see cref="MemoryPool{T}.MaxBufferSize"/>).</summary>
    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks ever allocated (the pool's footprint is this × <see cref="BlockSize"/>).</summary>
    public long BlocksAllocated => Interlocked.Read(ref _allocated);

    /// <summary>Blocks waiting to be rented.</summary>
    public int BlocksFree => _free.Count;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
        {
            throw new ArgumentOutOfRangeException(nameof(minBufferSize), minBufferSize, $"blocks are {BlockSize} bytes");
        }
        if (_free.TryPop(out PooledBlock? block))
        {
            block.Lease();
            return block;
        }
        Interlocked.Increment(ref _allocated);
        block = new PooledBlock(this, GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
        block.Lease();
        return block;
    }

    internal void Return(PooledBlock block) => _free.Push(block);

    protected override void Dispose(bool disposing)
    {
        // The pool lives as long as the process; blocks are reclaimed with it.
    }
}
