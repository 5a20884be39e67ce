using System.Buffers;

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

    // A free list threaded through the blocks themselves, so returning a block allocates nothing
    // (a ConcurrentStack allocates a node per push: 2 KiB per proxied MiB). The lock is held for a
    // pointer swap; last in, first out keeps the warmest blocks in use.
    private readonly Lock _lock = new();
    private PooledBlock? _freeHead;
    private int _freeCount;
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
    public int BlocksFree => Volatile.Read(ref _freeCount);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
        {
            throw new ArgumentOutOfRangeException(nameof(minBufferSize), minBufferSize, $"blocks are {BlockSize} bytes");
        }
        PooledBlock? block;
        lock (_lock)
        {
            block = _freeHead;
            if (block is not null)
            {
                _freeHead = block.NextFree;
                block.NextFree = null;
                _freeCount--;
            }
        }
        if (block is not null)
        {
            block.Lease();
            return block;
        }
        Interlocked.Increment(ref _allocated);
        block = new PooledBlock(this, GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
        block.Lease();
        return block;
    }

    internal void Return(PooledBlock block)
    {
        lock (_lock)
        {
            block.NextFree = _freeHead;
            _freeHead = block;
            _freeCount++;
        }
    }

    protected override void Dispose(bool disposing)
    {
        // The pool lives as long as the process; blocks are reclaimed with it.
    }
}
