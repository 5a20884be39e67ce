using System.Buffers;
using Meshy.Engine.Transport;

namespace Meshy.Engine.Tests.Transport;

/// <summary>
/// <see cref="BlockMemoryPool"/>: blocks are reused, never lost or handed out twice, and counted free wherever
/// they wait, in the shared list or in an engine thread's cache. Each test that needs a cache runs on a thread of
/// its own, as an engine thread would: a thread keeps its cache for good.
/// </summary>
public sealed class BlockMemoryPoolTests
{
    private const int BlockSize = 256;

    /// <summary>Runs <paramref name="body"/> on a new thread that caches blocks, as the epoll engine's threads do.</summary>
    private static void OnCachingThread(Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                BlockMemoryPool.UseThreadCache();
                body();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new Xunit.Sdk.XunitException($"on the caching thread: {failure}");
        }
    }

    [Fact]
    public void WithoutACache_AReturnedBlockIsTheNextOneRented()
    {
        var pool = new BlockMemoryPool(BlockSize);
        IMemoryOwner<byte> first = pool.Rent();
        Memory<byte> memory = first.Memory;
        first.Dispose();
        Assert.Equal(1, pool.BlocksFree);

        IMemoryOwner<byte> again = pool.Rent();
        Assert.True(again.Memory.Span == memory.Span, "the free block is reused");
        Assert.Equal(1, pool.BlocksAllocated);
        Assert.Equal(0, pool.BlocksFree);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(BlockSize + 1));
    }

    [Fact]
    public void CachingThread_ReusesItsBlocks_AndTheyCountAsFree() => OnCachingThread(() =>
    {
        var pool = new BlockMemoryPool(BlockSize);
        IMemoryOwner<byte> block = pool.Rent();
        Memory<byte> memory = block.Memory;
        block.Dispose();                                    // into this thread's cache
        Assert.Equal(1, pool.BlocksFree);

        IMemoryOwner<byte> again = pool.Rent();
        Assert.True(again.Memory.Span == memory.Span, "the cached block is reused");
        Assert.Equal(0, pool.BlocksFree);
        again.Dispose();
        Assert.Equal(pool.BlocksAllocated, pool.BlocksFree);
    });

    [Fact]
    public void CachingThread_BurstsBeyondItsCache_SpillAndRefillWithoutLosingOrDoublingABlock() => OnCachingThread(() =>
    {
        var pool = new BlockMemoryPool(BlockSize);
        const int Burst = (BlockMemoryPool.ThreadCacheCapacity * 3) + 7;
        for (int round = 0; round < 3; round++)
        {
            var rented = new List<IMemoryOwner<byte>>();
            for (int i = 0; i < Burst; i++)
            {
                rented.Add(pool.Rent());
            }
            // Every block rented at once is a different one.
            Assert.Equal(Burst, rented.Select(owner => owner.Memory).Distinct(new SameMemory()).Count());
            Assert.Equal(0, pool.BlocksFree);
            foreach (IMemoryOwner<byte> owner in rented)
            {
                owner.Dispose();
            }
            Assert.Equal(Burst, pool.BlocksFree);
        }
        Assert.Equal(Burst, pool.BlocksAllocated);    // rounds two and three allocated nothing
    });

    [Fact]
    public void BlocksRentedOnACachingThread_ReturnedFromAnother_AreRentedAgainFromTheSharedList()
    {
        var pool = new BlockMemoryPool(BlockSize);
        var rented = new List<IMemoryOwner<byte>>();
        OnCachingThread(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                rented.Add(pool.Rent());
            }
        });
        foreach (IMemoryOwner<byte> owner in rented)
        {
            owner.Dispose();                                // this thread has no cache
        }
        Assert.Equal(10, pool.BlocksFree);

        for (int i = 0; i < 10; i++)
        {
            _ = pool.Rent();
        }
        Assert.Equal(10, pool.BlocksAllocated);
        Assert.Equal(0, pool.BlocksFree);
    }

    [Fact]
    public void ACachingThread_UsingASecondPool_KeepsThatPoolsCountsExact() => OnCachingThread(() =>
    {
        var first = new BlockMemoryPool(BlockSize);
        var second = new BlockMemoryPool(BlockSize);
        first.Rent().Dispose();                             // the cache now belongs to the first pool
        IMemoryOwner<byte> block = second.Rent();
        block.Dispose();

        Assert.Equal(1, first.BlocksFree);
        Assert.Equal(1, second.BlocksFree);
        Assert.Equal(1, second.BlocksAllocated);
    });

    [Fact]
    public void APoolWithoutThreadCaching_ReturningFirst_LeavesTheCacheToTheNextPool()
    {
        var perConnection = new BlockMemoryPool(BlockSize, threadCached: false);
        var perReceive = new BlockMemoryPool(BlockSize);
        OnCachingThread(() =>
        {
            perConnection.Rent().Dispose();                 // to the shared list: the cache is not this pool's
            perReceive.Rent().Dispose();                    // the cache's first pool: kept on this thread
        });

        // Another thread finds the first pool's block in its shared list, and not the second's, which stays cached.
        _ = perConnection.Rent();
        _ = perReceive.Rent();
        Assert.Equal(1, perConnection.BlocksAllocated);
        Assert.Equal(2, perReceive.BlocksAllocated);
    }

    private sealed class SameMemory : IEqualityComparer<Memory<byte>>
    {
        public bool Equals(Memory<byte> x, Memory<byte> y) => x.Span == y.Span;

        public int GetHashCode(Memory<byte> obj) => obj.Length;
    }
}
