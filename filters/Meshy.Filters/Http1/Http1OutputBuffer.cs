using System.Buffers;
using System.Buffers.Text;

namespace Meshy.Filters.Http1;

/// <summary>
/// A per-connection scratch buffer for the bytes the proxy writes itself (message heads, chunk
/// framing, local reply bodies). Pooled and reused, so writing a head allocates nothing once the
/// buffer has grown to the connection's head size. Body bytes never go through it.
/// </summary>
internal sealed class Http1OutputBuffer : IDisposable
{
    private const int MinimumSize = 1024;

    private byte[] _buffer = [];
    private int _length;

    /// <summary>Bytes written since <see cref="Clear"/>.</summary>
    public int Length => _length;

    /// <summary>The bytes written since <see cref="Clear"/>; valid until the next write.</summary>
    public ReadOnlyMemory<byte> Written => new(_buffer, 0, _length);

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
        byte[] buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int extra)
    {
        int needed = _length + extra;
        if (needed <= _buffer.Length)
        {
            return;
        }
        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(MinimumSize, _buffer.Length * 2)));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        byte[] old = _buffer;
        _buffer = larger;
        if (old.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }
}
