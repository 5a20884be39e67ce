using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Meshy.Engine.Transport;

/// <summary>
/// One block of a <see cref="BlockMemoryPool"/>: its own memory manager and owner, so renting and
/// returning it allocates nothing. Disposing the owner returns it to the pool.
/// </summary>
internal sealed unsafe class PooledBlock : MemoryManager<byte>
{
    private readonly BlockMemoryPool _pool;
    private readonly byte[] _array;
    // The array is on the pinned object heap, so its address and length are fixed: kept here, a send that pins
    // the block or a pipe that takes its memory touches this object only, not the array's header (a cache miss
    // per segment in profiles of a busy proxy, where most blocks are cold by the time they are sent).
    private readonly byte* _address;
    private readonly int _length;
    private int _leased;

    public PooledBlock(BlockMemoryPool pool, byte[] array)
    {
        _pool = pool;
        _array = array;
        _address = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        _length = array.Length;
    }

    /// <summary>The next free block while this one sits in the pool's free list (under its lock) or a thread's cache.</summary>
    internal PooledBlock? NextFree { get; set; }

    public void Lease() => Volatile.Write(ref _leased, 1);

    // A managed span (not one over _address): it keeps the array reachable for as long as it is in use. Built from
    // the array's data reference and the kept length, so the array's header (a cache miss on a cold block) is not read.
    public override Span<byte> GetSpan() => MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(_array), _length);

    public override Memory<byte> Memory => CreateMemory(_length);

    // The array never moves, so pinning is a no-op.
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)_length, nameof(elementIndex));
        return new MemoryHandle(_address + elementIndex, default, this);
    }

    public override void Unpin()
    {
    }

    // Sockets need the array behind the memory (SocketAsyncEventArgs.SetBuffer, BufferList).
    protected override bool TryGetArray(out ArraySegment<byte> segment)
    {
        segment = new ArraySegment<byte>(_array);
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        // NOTE: a double dispose would put the block in the pool twice and hand it to two pipes.
        if (Interlocked.Exchange(ref _leased, 0) == 1)
        {
            _pool.Return(this);
        }
    }
}
