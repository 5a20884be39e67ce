using System.Buffers;
using System.Runtime.CompilerServices;

namespace Meshy.Filters.Http2.Hpack;

/// <summary>
/// Where an <see cref="HpackEncoder"/> writes one field block: the span an <see cref="IBufferWriter{T}"/> gave,
/// kept across fields. Most fields encode to one byte (an index); asking the writer for room and advancing it
/// through its interface cost more than the byte itself, so this asks once per few hundred bytes instead.
/// <see cref="Commit"/> hands the rest of what was written to the writer. When the span runs out, what it holds is
/// committed before a new one is asked for, so bytes may reach the writer earlier: a block cannot be taken back.
/// </summary>
internal ref struct HpackBlockWriter(IBufferWriter<byte> output)
{
    // Asked of the writer at least, so that a block's small fields share one request.
    private const int MinimumRequest = 256;

    private Span<byte> _free;
    private int _written;

    /// <summary>Room for at least <paramref name="sizeHint"/> bytes; <see cref="Advance"/> says how many were used.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> GetSpan(int sizeHint)
    {
        if (_free.Length < sizeHint)
        {
            Refill(sizeHint);
        }
        return _free;
    }

    /// <summary>Marks <paramref name="count"/> bytes of the last <see cref="GetSpan"/> as written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance(int count)
    {
        _free = _free[count..];
        _written += count;
    }

    /// <summary>Writes one byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(byte value)
    {
        if (_free.IsEmpty)
        {
            Refill(1);
        }
        _free[0] = value;
        _free = _free[1..];
        _written++;
    }

    /// <summary>Advances the underlying writer past everything written so far.</summary>
    public void Commit()
    {
        if (_written > 0)
        {
            output.Advance(_written);
            _written = 0;
        }
        // A writer's span is only valid until it is advanced.
        _free = default;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Refill(int sizeHint)
    {
        Commit();
        _free = output.GetSpan(Math.Max(sizeHint, MinimumRequest));
    }
}
