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
/// <remarks>
/// Engine threads keep up to <see cref="ThreadCacheCapacity"/> free blocks of their own, so that the footprint
/// may exceed the peak in use by that many blocks per engine thread.
/// </remarks>
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
    private readonly bool _threadCached;
    private ThreadCache[] _caches = [];     // copy on write, under the lock: the caches holding this pool's blocks

    // Engine threads rent and return a block for every receive: each keeps a few of one pool's blocks of its own,
    // so the usual rent and return take no lock (four lock round trips per proxied HTTP/1.1 request otherwise).
    [ThreadStatic]
    private static ThreadCache? t_cache;

    /// <summary>Blocks an engine thread keeps for itself: 1 MiB of the default size.</summary>
    internal const int ThreadCacheCapacity = 64;

    /// <summary>
    /// Blocks moved at once between a cache and the shared list: a burst (512 HTTP/2 streams each taking a block
    /// for its response body, then each giving it back) takes the lock once per batch, not once per block.
    /// </summary>
    internal const int ThreadCacheBatch = 32;

    /// <param name="blockSize">Bytes per block.</param>
    /// <param name="threadCached">
    /// Whether engine threads may keep this pool's blocks in their cache. A thread's cache serves one pool, the
    /// first to give a block back on it: a pool whose blocks are taken once per connection, not per receive, says
    /// false, so that it never takes the cache from the receive pool.
    /// </param>
    public BlockMemoryPool(int blockSize = DefaultBlockSize, bool threadCached = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 256);
        BlockSize = blockSize;
        _threadCached = threadCached;
    }

    /// <summary>The process-wide pool.</summary>
    public static BlockMemoryPool Default { get; } = new();

    /// <summary>Bytes per block.</summary>
    public int BlockSize { get; }

    /// <summary>The largest rent served from the pool (<see cref="MemoryPool{T}.MaxBufferSize"/>).</summary>
    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks ever allocated (the pool's footprint is this × <see cref="BlockSize"/>).</summary>
    public long BlocksAllocated => Interlocked.Read(ref _allocated);

    /// <summary>Blocks waiting to be rented (in the shared list or a thread's cache).</summary>
    public int BlocksFree
    {
        get
        {
            int free = Volatile.Read(ref _freeCount);
            foreach (ThreadCache cache in Volatile.Read(ref _caches))
            {
                free += Volatile.Read(ref cache.Count);
            }
            return free;
        }
    }

    /// <summary>
    /// Lets the calling thread keep up to <see cref="ThreadCacheCapacity"/> returned blocks of the first pool it
    /// uses afterwards, and rent them back without the pool's lock. For long-lived threads only (the socket
    /// engine's): blocks in a cache are the pool's for good, whatever becomes of the thread.
    /// </summary>
    internal static void UseThreadCache() => t_cache ??= new ThreadCache();

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
        {
            throw new ArgumentOutOfRangeException(nameof(minBufferSize), minBufferSize, $"blocks are {BlockSize} bytes");
        }
        PooledBlock? block;
        ThreadCache? cache = t_cache;
        if (cache is not null && ReferenceEquals(cache.Pool, this) && (cache.Head is not null || RefillUnlessEmpty(cache)))
        {
            block = cache.Head!;
            cache.Head = block.NextFree;
            block.NextFree = null;
            Volatile.Write(ref cache.Count, cache.Count - 1);
            block.Lease();
            return block;
        }
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
        ThreadCache? cache = t_cache;
        if (cache is not null && (ReferenceEquals(cache.Pool, this) || (cache.Pool is null && _threadCached && Adopt(cache))))
        {
            if (cache.Count == ThreadCacheCapacity)
            {
                Spill(cache);
            }
            block.NextFree = cache.Head;
            cache.Head = block;
            Volatile.Write(ref cache.Count, cache.Count + 1);
            return;
        }
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

    /// <summary>An empty cache takes a batch from the shared list (one lock for many rents); false when that is empty too.</summary>
    private bool RefillUnlessEmpty(ThreadCache cache)
    {
        PooledBlock? first;
        int taken = 0;
        lock (_lock)
        {
            first = _freeHead;
            PooledBlock? last = null;
            for (PooledBlock? block = first; block is not null && taken < ThreadCacheBatch; block = block.NextFree)
            {
                last = block;
                taken++;
            }
            if (last is null)
            {
                return false;
            }
            _freeHead = last.NextFree;
            last.NextFree = null;
            _freeCount -= taken;
        }
        cache.Head = first;
        Volatile.Write(ref cache.Count, taken);
        return true;
    }

    /// <summary>A full cache gives its oldest batch back to the shared list (one lock for many returns).</summary>
    private void Spill(ThreadCache cache)
    {
        // Keep the newest (warmest) blocks: the batch after them goes.
        PooledBlock keptLast = cache.Head!;
        for (int i = 1; i < ThreadCacheCapacity - ThreadCacheBatch; i++)
        {
            keptLast = keptLast.NextFree!;
        }
        PooledBlock spilledFirst = keptLast.NextFree!;
        keptLast.NextFree = null;
        PooledBlock spilledLast = spilledFirst;
        while (spilledLast.NextFree is not null)
        {
            spilledLast = spilledLast.NextFree;
        }
        Volatile.Write(ref cache.Count, ThreadCacheCapacity - ThreadCacheBatch);
        lock (_lock)
        {
            spilledLast.NextFree = _freeHead;
            _freeHead = spilledFirst;
            _freeCount += ThreadCacheBatch;
        }
    }

    /// <summary>Binds a thread's unused cache to this pool (its first return), so <see cref="BlocksFree"/> counts it.</summary>
    private bool Adopt(ThreadCache cache)
    {
        lock (_lock)
        {
            cache.Pool = this;
            _caches = [.. _caches, cache];
        }
        return true;
    }

    /// <summary>One thread's blocks: touched by that thread only, except <see cref="Count"/>, which <see cref="BlocksFree"/> reads.</summary>
    private sealed class ThreadCache
    {
        public BlockMemoryPool? Pool;
        public PooledBlock? Head;
        public int Count;
    }
}
