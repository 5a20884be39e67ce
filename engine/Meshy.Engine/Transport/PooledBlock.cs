using System.Buffers;

namespace Meshy.Engine.Transport;

/// <summary>
/// One block of a <see cref="BlockMemoryPool"/>: its own memory manager and owner, so renting and
/// returning it allocates nothing. Disposing the owner returns it to the pool.
/// </summary>
internal sealed class PooledBlock(BlockMemoryPool pool, byte[] array) : MemoryManager<byte>
{
    private int _leased;

    /// <summary>The next free block while this one sits in the pool's free list (guarded by the pool's lock).</summary>
    internal PooledBlock? NextFree { get; set; }

    public void Lease() => Volatile.Write(ref _leased, 1);

    public override Span<byte> GetSpan() => array;

    public override Memory<byte> Memory => CreateMemory(array.Length);

    // The array is on the pinned object heap: it never moves, so pinning is a no-op.
    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        fixed (byte* pointer = &array[0])
        {
            return new MemoryHandle(pointer + elementIndex, default, this);
        }
    }

    public override void Unpin()
    {
    }

    // Sockets need the array behind the memory (SocketAsyncEventArgs.SetBuffer, BufferList).
    protected override bool TryGetArray(out ArraySegment<byte> segment)
    {
        segment = new ArraySegment<byte>(array);
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        // NOTE: a double dispose would put the block in the pool twice and hand it to two pipes.
        if (Interlocked.Exchange(ref _leased, 0) == 1)
        {
            pool.Return(this);
        }
    }
}
