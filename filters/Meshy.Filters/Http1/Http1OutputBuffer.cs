using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Meshy.Engine.Transport;

namespace Meshy.Filters.Http1;

/// <summary>
/// A per-connection scratch buffer for the bytes the proxy writes itself (message heads, chunk
/// framing, local reply bodies). Pooled and reused, so writing a head allocates nothing once the
/// buffer has grown to the connection's head size. Body bytes never go through it.
/// </summary>
/// <remarks>
/// Up to <see cref="PinnedSize"/> bytes it is a block on the pinned object heap, so a send that pins
/// <see cref="Written"/> (every send batched on an engine thread does) takes no GC handle; a larger head
/// grows into a pooled array, pinned per send.
/// </remarks>
internal sealed class Http1OutputBuffer : IDisposable
{
    /// <summary>
    /// The size of the pinned block: most heads fit, and it is what the buffer started at before (the pool keeps its
    /// peak of blocks in use, like the receive pool, so a larger block would cost idle connections more).
    /// </summary>
    internal const int PinnedSize = 1024;

    // Taken once per connection: no engine thread's block cache, which is the receive pool's.
    private static readonly BlockMemoryPool PinnedBlocks = new(PinnedSize, threadCached: false);

    private IMemoryOwner<byte>? _block;
    private Memory<byte> _memory;
    private byte[] _buffer = [];
    private int _length;

    /// <summary>Bytes written since <see cref="Clear"/>.</summary>
    public int Length => _length;

    /// <summary>The bytes written since <see cref="Clear"/>; valid until the next write.</summary>
    public ReadOnlyMemory<byte> Written => _memory[.._length];

    /// <summary>Forgets the written bytes.</summary>
    public void Clear() => _length = 0;

    /// <summary>Appends <paramref name="bytes"/>.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Appends a non-negative decimal number.</summary>
    public void WriteDecimal(long value)
    {
        Ensure(20);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_length), out int written);
        _length += written;
    }

    /// <summary>Appends a number in lowercase hexadecimal (chunk sizes, RFC 9112 §7.1).</summary>
    public void WriteHex(long value)
    {
        Ensure(16);
        Utf8Formatter.TryFormat((ulong)value, _buffer.AsSpan(_length), out int written, new StandardFormat('x'));
        _length += written;
    }

    /// <summary>Appends <c>name: value\r\n</c>.</summary>
    public void WriteField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Ensure(name.Length + value.Length + 4);
        Span<byte> span = _buffer.AsSpan(_length);
        name.CopyTo(span);
        span[name.Length] = (byte)':';
        span[name.Length + 1] = (byte)' ';
        value.CopyTo(span[(name.Length + 2)..]);
        span[name.Length + 2 + value.Length] = (byte)'\r';
        span[name.Length + 3 + value.Length] = (byte)'\n';
        _length += name.Length + value.Length + 4;
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        IMemoryOwner<byte>? block = _block;
        byte[] buffer = _buffer;
        _block = null;
        _memory = default;
        _buffer = [];
        _length = 0;
        if (block is not null)
        {
            block.Dispose();
        }
        else if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // The check is inlined into every write; growing is rare and kept out of line.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Ensure(int extra)
    {
        if (_length + extra > _buffer.Length)
        {
            Grow(_length + extra);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        if (needed <= PinnedSize && _buffer.Length == 0)
        {
            // The block's array is written through directly; its memory (a memory manager that pins for free) is sent.
            IMemoryOwner<byte> block = PinnedBlocks.Rent(PinnedSize);
            _block = block;
            _memory = block.Memory;
            _buffer = MemoryMarshal.TryGetArray<byte>(_memory, out ArraySegment<byte> array) ? array.Array! : throw new InvalidOperationException("a pinned block without an array");
            return;
        }
        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(PinnedSize, _buffer.Length * 2)));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        byte[] old = _buffer;
        IMemoryOwner<byte>? oldBlock = _block;
        _buffer = larger;
        _memory = larger;
        _block = null;
        if (oldBlock is not null)
        {
            oldBlock.Dispose();
        }
        else if (old.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }
}
