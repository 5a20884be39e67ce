using System.Buffers;
using System.Security.Cryptography;
using Meshy.Engine.Http;
using Meshy.Engine.Transport;
using Meshy.Testing;

namespace Meshy.Engine.Tests.Http;

/// <summary>
/// <see cref="HttpBodyBuffer"/>: bytes copied in come out whole and in order across blocks, a read waits only
/// when there is nothing, the end and failures reach the reader, cancels consume nothing, and every block goes
/// back to the pool. Blocks are 256 bytes from a pool of the test's own, so a few hundred bytes span several
/// and the pool's count is exact.
/// </summary>
public sealed class HttpBodyBufferTests
{
    private const int BlockSize = 256;
    private static readonly TimeSpan Timeout = Loopback.DefaultTimeout;

    private readonly BlockMemoryPool _pool = new(BlockSize);

    private void AssertNoBlockHeld() => Assert.Equal(_pool.BlocksAllocated, _pool.BlocksFree);

    private static ReadOnlySequence<byte> Bytes(byte[] bytes) => new(bytes);

    /// <summary>Runs <paramref name="action"/> where the read resumes when awaited as the proxy does: no context captured.</summary>
    private static void OnResumed(ValueTask<HttpBodyChunk> read, Action action) =>
        read.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(action);

    [Fact]
    public async Task WrittenBytes_ReadWholeAcrossBlocks_AndAdvanceReturnsEveryBlock()
    {
        var buffer = new HttpBodyBuffer(_pool);
        byte[] first = RandomNumberGenerator.GetBytes(700);
        byte[] second = RandomNumberGenerator.GetBytes(300);
        buffer.Write(Bytes(first));
        buffer.Write(SequenceShapes.OneBytePerSegment(second));
        Assert.Equal(1000, buffer.BufferedLength);
        Assert.Equal(4, _pool.BlocksAllocated);

        HttpBodyChunk chunk = await buffer.ReadAsync();

        Assert.False(chunk.IsEnd);
        Assert.Equal([.. first, .. second], chunk.Data.ToArray());
        Assert.Equal(1000, buffer.Advance());
        Assert.Equal(0, buffer.BufferedLength);
        AssertNoBlockHeld();
    }

    [Fact]
    public async Task BytesWrittenWhileTheReaderHoldsAChunk_StayForTheNextRead()
    {
        var buffer = new HttpBodyBuffer(_pool);
        buffer.Write(Bytes("abc"u8.ToArray()));
        HttpBodyChunk first = await buffer.ReadAsync();
        buffer.Write(Bytes("def"u8.ToArray()), end: true);     // same block, after what the reader holds

        Assert.Equal("abc"u8.ToArray(), first.Data.ToArray());
        Assert.Equal(3, buffer.Advance());
        HttpBodyChunk second = await buffer.ReadAsync();
        Assert.Equal("def"u8.ToArray(), second.Data.ToArray());
        Assert.True(second.IsEnd);
        Assert.Equal(3, buffer.Advance());
        AssertNoBlockHeld();
    }

    [Fact]
    public async Task ReadOnAnEmptyBuffer_Waits_UntilAWriteOrTheEnd()
    {
        var buffer = new HttpBodyBuffer(_pool);
        ValueTask<HttpBodyChunk> pending = buffer.ReadAsync();
        Assert.False(pending.IsCompleted);

        buffer.Write(Bytes("x"u8.ToArray()));
        HttpBodyChunk chunk = await pending.AsTask().WaitAsync(Timeout);
        Assert.Equal("x"u8.ToArray(), chunk.Data.ToArray());
        buffer.Advance();

        pending = buffer.ReadAsync();
        Assert.False(pending.IsCompleted);
        buffer.Complete();
        chunk = await pending.AsTask().WaitAsync(Timeout);
        Assert.True(chunk.IsEnd);
        Assert.True(chunk.Data.IsEmpty);
    }

    [Fact]
    public async Task PendingRead_ResumesOffTheWritersThread()
    {
        var buffer = new HttpBodyBuffer(_pool);
        ValueTask<HttpBodyChunk> pending = buffer.ReadAsync();
        var resumedOn = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        OnResumed(pending, () => resumedOn.SetResult(Environment.CurrentManagedThreadId));

        // A thread of its own, never a pool thread: the continuation reports its id only if Write ran it inline.
        int writerThread = 0;
        var writer = new Thread(() =>
        {
            writerThread = Environment.CurrentManagedThreadId;
            buffer.Write(Bytes("x"u8.ToArray()));
        });
        writer.Start();

        int continuationThread = await resumedOn.Task.WaitAsync(Timeout);
        writer.Join();
        Assert.NotEqual(writerThread, continuationThread);
        Assert.Equal("x"u8.ToArray(), (await pending).Data.ToArray());
    }

    [Fact]
    public async Task Failure_ReachesAPendingAndALaterRead()
    {
        var buffer = new HttpBodyBuffer(_pool);
        ValueTask<HttpBodyChunk> pending = buffer.ReadAsync();
        buffer.Complete(new IOException("reset"));

        IOException error = await Assert.ThrowsAsync<IOException>(() => pending.AsTask().WaitAsync(Timeout));
        Assert.Equal("reset", error.Message);
        await Assert.ThrowsAsync<IOException>(async () => await buffer.ReadAsync());

        buffer.Complete();                                  // the first outcome wins
        await Assert.ThrowsAsync<IOException>(async () => await buffer.ReadAsync());
    }

    [Fact]
    public async Task WritesAfterTheEnd_AreDropped()
    {
        var buffer = new HttpBodyBuffer(_pool);
        buffer.Write(Bytes("ab"u8.ToArray()), end: true);
        buffer.Write(Bytes("cd"u8.ToArray()));

        HttpBodyChunk chunk = await buffer.ReadAsync();
        Assert.Equal("ab"u8.ToArray(), chunk.Data.ToArray());
        Assert.True(chunk.IsEnd);
    }

    [Fact]
    public async Task CancelPendingRead_WakesTheRead_AndConsumesNothing()
    {
        var buffer = new HttpBodyBuffer(_pool);
        ValueTask<HttpBodyChunk> pending = buffer.ReadAsync();
        buffer.CancelPendingRead();
        await Assert.ThrowsAsync<OperationCanceledException>(() => pending.AsTask().WaitAsync(Timeout));

        // A cancel with no read waiting is taken by the next read, ahead of the bytes, which stay.
        buffer.Write(Bytes("kept"u8.ToArray()));
        buffer.CancelPendingRead();
        await Assert.ThrowsAsync<OperationCanceledException>(async () => await buffer.ReadAsync());
        HttpBodyChunk chunk = await buffer.ReadAsync();
        Assert.Equal("kept"u8.ToArray(), chunk.Data.ToArray());
    }

    [Fact]
    public async Task CancelledToken_EndsAPendingRead_AndTheBufferStillServes()
    {
        var buffer = new HttpBodyBuffer(_pool);
        using var cancel = new CancellationTokenSource();
        ValueTask<HttpBodyChunk> pending = buffer.ReadAsync(cancel.Token);
        cancel.Cancel();

        OperationCanceledException error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask().WaitAsync(Timeout));
        Assert.Equal(cancel.Token, error.CancellationToken);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await buffer.ReadAsync(cancel.Token));

        buffer.Write(Bytes("x"u8.ToArray()));
        Assert.Equal("x"u8.ToArray(), (await buffer.ReadAsync()).Data.ToArray());
    }

    [Fact]
    public async Task Release_ReturnsHeldBlocks_DropsLaterWrites_AndReadsThrow()
    {
        var buffer = new HttpBodyBuffer(_pool);
        buffer.Write(Bytes(new byte[600]));
        Assert.Equal(3, _pool.BlocksAllocated);

        buffer.Release();
        AssertNoBlockHeld();
        buffer.Write(Bytes(new byte[10]));
        AssertNoBlockHeld();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await buffer.ReadAsync());
    }

    [Fact]
    public async Task Reset_AfterAFailedBody_ServesTheNextBodyAsNew()
    {
        var buffer = new HttpBodyBuffer(_pool);
        buffer.Write(Bytes(new byte[300]));
        buffer.Complete(new IOException("reset"));
        buffer.Release();
        buffer.Reset();
        AssertNoBlockHeld();

        buffer.Write(Bytes("next"u8.ToArray()), end: true);
        HttpBodyChunk chunk = await buffer.ReadAsync();
        Assert.Equal("next"u8.ToArray(), chunk.Data.ToArray());
        Assert.True(chunk.IsEnd);
        buffer.Advance();
        AssertNoBlockHeld();
    }

    [Fact]
    public async Task ProducerAndConsumerOnTwoThreads_ByteStreamArrivesIntact()
    {
        var buffer = new HttpBodyBuffer(_pool);
        byte[] body = RandomNumberGenerator.GetBytes(200_000);
        var producer = new Thread(() =>
        {
            for (int offset = 0; offset < body.Length; offset += 997)
            {
                int length = Math.Min(997, body.Length - offset);
                buffer.Write(new ReadOnlySequence<byte>(body, offset, length), end: offset + length == body.Length);
            }
        });
        producer.Start();

        using var received = new MemoryStream();
        while (true)
        {
            HttpBodyChunk chunk = await buffer.ReadAsync().AsTask().WaitAsync(Timeout);
            foreach (ReadOnlyMemory<byte> segment in chunk.Data)
            {
                received.Write(segment.Span);
            }
            buffer.Advance();
            if (chunk.IsEnd)
            {
                break;
            }
        }
        producer.Join();
        Assert.Equal(body, received.ToArray());
        AssertNoBlockHeld();
    }

    [Fact]
    public async Task EndUnused_AfterReset_ReadsTheEndAtOnce_AndLaterWritesAreIgnored()
    {
        var buffer = new HttpBodyBuffer(_pool);
        buffer.Write(new ReadOnlySequence<byte>("old"u8.ToArray()), end: true);
        Assert.True((await buffer.ReadAsync()).IsEnd);
        buffer.Advance();
        buffer.Reset();

        buffer.EndUnused();
        buffer.Write(new ReadOnlySequence<byte>("late"u8.ToArray()));

        HttpBodyChunk chunk = await buffer.ReadAsync();
        Assert.True(chunk.IsEnd);
        Assert.True(chunk.Data.IsEmpty);
        buffer.Release();
        AssertNoBlockHeld();
    }
}
