using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Meshy.Filters.Http1;

namespace Meshy.Filters.Tests.Http1;

/// <summary><see cref="Http1OutputBuffer"/>: a pinned block for the usual head, a pooled array past it, the bytes kept across the move.</summary>
public sealed class Http1OutputBufferTests
{
    [Fact]
    public void UsualHead_IsInAPinnedBlock_SoPinningItTakesNoHandle()
    {
        using var output = new Http1OutputBuffer();
        output.WriteField("content-length"u8, "6"u8);

        ReadOnlyMemory<byte> written = output.Written;
        Assert.Equal("content-length: 6\r\n", Encoding.ASCII.GetString(written.Span));
        // Memory over a memory manager (the block), not over an array: its Pin is free.
        Assert.True(MemoryMarshal.TryGetMemoryManager(written, out MemoryManager<byte>? _));
    }

    [Fact]
    public void HeadLargerThanTheBlock_MovesToAnArray_WithEveryByteKept()
    {
        using var output = new Http1OutputBuffer();
        byte[] value = Enumerable.Range(0, Http1OutputBuffer.PinnedSize).Select(i => (byte)('a' + i % 26)).ToArray();
        output.WriteField("x-small"u8, "1"u8);
        output.WriteField("x-large"u8, value);
        output.WriteDecimal(1234);

        string expected = "x-small: 1\r\nx-large: " + Encoding.ASCII.GetString(value) + "\r\n1234";
        Assert.Equal(expected, Encoding.ASCII.GetString(output.Written.Span));
        Assert.False(MemoryMarshal.TryGetMemoryManager(output.Written, out MemoryManager<byte>? _));
    }

    [Fact]
    public void ClearedAndDisposed_StartsOverWithOnlyNewBytes()
    {
        var output = new Http1OutputBuffer();
        output.Write("HTTP/1.1 200 OK\r\n"u8);
        output.Clear();
        output.WriteHex(255);
        Assert.Equal("ff", Encoding.ASCII.GetString(output.Written.Span));

        output.Dispose();
        Assert.Equal(0, output.Written.Length);
        output.Write("again"u8);
        Assert.Equal("again", Encoding.ASCII.GetString(output.Written.Span));
        output.Dispose();
    }
}
