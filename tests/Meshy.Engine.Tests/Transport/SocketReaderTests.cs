using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Cryptography;
using Meshy.Engine.Transport;
using Meshy.Testing;

namespace Meshy.Engine.Tests.Transport;

/// <summary>
/// <see cref="SocketReader"/>, the epoll engine's input, over real loopback sockets: what a read returns and when
/// it waits, blocks held and given back, the end of the stream, a reset, and every way a read is cut short.
/// Blocks are 4 KiB from a pool of the test's own, so a few KiB span several and the pool's count is exact.
/// </summary>
[Collection(EpollSocketChannelTests.Alone)]
public sealed class SocketReaderTests
{
    private const int BlockSize = 4096;
    private static readonly TimeSpan Timeout = Loopback.DefaultTimeout;

    private sealed class Connection : IDisposable
    {
        public required SocketTransport Transport { get; init; }
        public required Socket Peer { get; init; }
        public required BlockMemoryPool Pool { get; init; }
        public PipeReader Input => Transport.Input;

        public void Dispose()
        {
            Transport.Dispose();
            Peer.Dispose();
        }
    }

    private static async Task<Connection> ConnectAsync()
    {
        (Socket accepted, Socket peer) = await Loopback.ConnectPairAsync();
        var options = new PipeOptionsFactory(minimumSegmentSize: BlockSize);
        var transport = options.CreateConnection(new EpollSocketChannel(accepted, EpollEngine.Next()));
        return new Connection { Transport = transport, Peer = peer, Pool = options.Pool };
    }

    /// <summary>One read, bounded by the test timeout.</summary>
    private static Task<ReadResult> ReadAsync(Connection connection) => connection.Input.ReadAsync().AsTask().WaitAsync(Timeout);

    /// <summary>Reads, examining everything and consuming nothing, until <paramref name="enough"/> holds.</summary>
    private static async Task<ReadResult> ReadUntilAsync(Connection connection, Func<ReadResult, bool> enough)
    {
        ReadResult result = await ReadAsync(connection);
        while (!enough(result))
        {
            connection.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            result = await ReadAsync(connection);
        }
        return result;
    }

    private static void AssertNoBlockHeld(Connection connection) =>
        Assert.Equal(connection.Pool.BlocksAllocated, connection.Pool.BlocksFree);

    /// <summary>The bytes read are <paramref name="expected"/>; consumed, and the reader then holds no block.</summary>
    private static void AssertConsumedAndReleased(Connection connection, ReadResult result, byte[] expected)
    {
        Assert.Equal(expected, result.Buffer.ToArray());
        connection.Input.AdvanceTo(result.Buffer.End);
        AssertNoBlockHeld(connection);
    }

    /// <summary>A result at the end of the stream with nothing left: consumed, and the reader then holds no block.</summary>
    private static void AssertEndedAndReleased(Connection connection, ReadResult result)
    {
        Assert.True(result.IsCompleted);
        Assert.True(result.Buffer.IsEmpty);
        connection.Input.AdvanceTo(result.Buffer.End);
        AssertNoBlockHeld(connection);
    }

    [EpollFact]
    public async Task Read_BytesArrive_ReturnedAsSent_AndNoBlockHeldOnceConsumed()
    {
        using Connection connection = await ConnectAsync();
        Assert.IsType<SocketReader>(connection.Input);
        ValueTask<ReadResult> pending = connection.Input.ReadAsync();
        Assert.False(pending.IsCompleted, "nothing was sent yet");

        await Loopback.SendAllAsync(connection.Peer, "hello"u8.ToArray());
        ReadResult result = await pending.AsTask().WaitAsync(Timeout);

        Assert.Equal("hello"u8.ToArray(), result.Buffer.ToArray());
        Assert.False(result.IsCompleted);
        Assert.False(result.IsCanceled);
        Assert.Equal(1, connection.Pool.BlocksAllocated - connection.Pool.BlocksFree);
        connection.Input.AdvanceTo(result.Buffer.End);
        AssertNoBlockHeld(connection);
    }

    [IoUringFact]
    public async Task WaitingRead_WokenByEvents_ReceivesInTheEngineTurnsBatch_BytesThenEnd_OrAReset()
    {
        using Connection connection = await ConnectAsync();
        var reader = (SocketReader)connection.Input;
        ValueTask<ReadResult> pending = connection.Input.ReadAsync();
        Assert.False(pending.IsCompleted);
        await Loopback.SendAllAsync(connection.Peer, "batched"u8.ToArray());
        AssertConsumedAndReleased(connection, await pending.AsTask().WaitAsync(Timeout), "batched"u8.ToArray());
        long afterBytes = reader.BatchedReceives;
        Assert.True(afterBytes >= 1, "the read woken by the bytes' event received in the engine's batch");

        pending = connection.Input.ReadAsync();
        Assert.False(pending.IsCompleted);
        connection.Peer.Shutdown(SocketShutdown.Send);
        AssertEndedAndReleased(connection, await pending.AsTask().WaitAsync(Timeout));
        Assert.True(reader.BatchedReceives > afterBytes, "the end of the stream came through the batch too");

        using Connection resetting = await ConnectAsync();
        var resetReader = (SocketReader)resetting.Input;
        pending = resetting.Input.ReadAsync();
        Assert.False(pending.IsCompleted);
        resetting.Peer.LingerState = new LingerOption(true, 0);
        resetting.Peer.Close();
        await Assert.ThrowsAsync<IOException>(() => pending.AsTask().WaitAsync(Timeout));
        Assert.True(resetReader.BatchedReceives >= 1, "the reset came through the batch");
        await Assert.ThrowsAsync<IOException>(() => ReadAsync(resetting));
        AssertNoBlockHeld(resetting);
    }

    /// <summary>A read that waits, <paramref name="bytes"/> sent, and what exactly one batched receive brought.</summary>
    private static async Task<ReadResult> ReceiveInOneBatchAsync(Connection connection, byte[] bytes)
    {
        var reader = (SocketReader)connection.Input;
        long before = reader.BatchedReceives;
        ValueTask<ReadResult> pending = connection.Input.ReadAsync();
        Assert.False(pending.IsCompleted);
        await Loopback.SendAllAsync(connection.Peer, bytes);
        ReadResult result = await pending.AsTask().WaitAsync(Timeout);
        Assert.Equal(before + 1, reader.BatchedReceives);
        return result;
    }

    [IoUringFact]
    public async Task MessagesLargerThanABlock_AfterTheFirst_ArriveInOneBatchedReceiveIntoTwoBlocks_SmallOnesGiveTheSecondBack()
    {
        using Connection connection = await ConnectAsync();
        var reader = (SocketReader)connection.Input;
        byte[] large = RandomNumberGenerator.GetBytes(BlockSize + 1904);

        // The first fills its block: the rest takes a receive of its own.
        ValueTask<ReadResult> pending = connection.Input.ReadAsync();
        Assert.False(pending.IsCompleted);
        await Loopback.SendAllAsync(connection.Peer, large);
        ReadResult first = await pending.AsTask().WaitAsync(Timeout);
        Assert.Equal(BlockSize, first.Buffer.Length);
        ReadResult whole = await ReadUntilAsync(connection, r => r.Buffer.Length == large.Length);
        AssertConsumedAndReleased(connection, whole, large);

        // From then on a turn receives into a second block too: the next one comes whole from one receive.
        for (int i = 0; i < 3; i++)
        {
            ReadResult next = await ReceiveInOneBatchAsync(connection, large);
            Assert.False(next.Buffer.IsSingleSegment);
            AssertConsumedAndReleased(connection, next, large);
        }

        // Bytes left unconsumed in the first block: the receive fills the room after them and runs on into a second
        // block, and the sequence counts both right (its length comes from the blocks' running indices).
        pending = connection.Input.ReadAsync();
        await Loopback.SendAllAsync(connection.Peer, large);
        ReadResult held = await pending.AsTask().WaitAsync(Timeout);
        Assert.Equal(large.Length, held.Buffer.Length);
        connection.Input.AdvanceTo(held.Buffer.GetPosition(large.Length - 10), held.Buffer.End);
        AssertConsumedAndReleased(connection, await ReceiveInOneBatchAsync(connection, large), [.. large[^10..], .. large]);

        // A small message leaves the second block empty: it goes back at once.
        pending = connection.Input.ReadAsync();
        await Loopback.SendAllAsync(connection.Peer, "small"u8.ToArray());
        ReadResult small = await pending.AsTask().WaitAsync(Timeout);
        Assert.Equal(1, connection.Pool.BlocksAllocated - connection.Pool.BlocksFree);
        AssertConsumedAndReleased(connection, small, "small"u8.ToArray());

        // Exactly two blocks' worth fills both in one receive.
        byte[] two = RandomNumberGenerator.GetBytes(2 * BlockSize);
        AssertConsumedAndReleased(connection, await ReceiveInOneBatchAsync(connection, two), two);

        // The end of the stream comes to a batched receive with both blocks reserved: neither stays held.
        long beforeEnd = reader.BatchedReceives;
        pending = connection.Input.ReadAsync();
        Assert.False(pending.IsCompleted);
        connection.Peer.Shutdown(SocketShutdown.Send);
        AssertEndedAndReleased(connection, await pending.AsTask().WaitAsync(Timeout));
        Assert.Equal(beforeEnd + 1, reader.BatchedReceives);
    }

    [IoUringFact]
    public async Task ThreeHundredWaitingReads_PeersSendAtOnce_EachGetsItsOwnBytes_MoreThanOneRingsWorth()
    {
        // More readers than one submission takes (256), so a turn that finds them all ready submits mid-turn.
        const int Count = 300;
        var connections = new List<Connection>();
        try
        {
            for (int i = 0; i < Count; i++)
            {
                connections.Add(await ConnectAsync());
            }
            ValueTask<ReadResult>[] pending = [.. connections.Select(connection => connection.Input.ReadAsync())];
            Assert.All(pending, read => Assert.False(read.IsCompleted));
            for (int i = 0; i < Count; i++)
            {
                connections[i].Peer.Send(System.Text.Encoding.ASCII.GetBytes($"payload {i}"));
            }
            for (int i = 0; i < Count; i++)
            {
                AssertConsumedAndReleased(connections[i], await pending[i].AsTask().WaitAsync(Timeout), System.Text.Encoding.ASCII.GetBytes($"payload {i}"));
                Assert.True(((SocketReader)connections[i].Input).BatchedReceives >= 1, $"read {i} received in a batch");
            }
        }
        finally
        {
            connections.ForEach(connection => connection.Dispose());
        }
    }

    [EpollFact]
    public async Task AdvanceTo_ExaminedShortOfEnd_NextReadReturnsAtOnce_ExaminedEverything_NextReadWaits()
    {
        using Connection connection = await ConnectAsync();
        await Loopback.SendAllAsync(connection.Peer, "abcdef"u8.ToArray());
        ReadResult result = await ReadAsync(connection);
        Assert.Equal(6, result.Buffer.Length);

        connection.Input.AdvanceTo(result.Buffer.GetPosition(2), result.Buffer.GetPosition(4));
        ValueTask<ReadResult> again = connection.Input.ReadAsync();
        Assert.True(again.IsCompleted, "bytes past the examined position are there");
        result = await again;
        Assert.Equal("cdef"u8.ToArray(), result.Buffer.ToArray());

        connection.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        ValueTask<ReadResult> waiting = connection.Input.ReadAsync();
        Assert.False(waiting.IsCompleted, "everything was examined and nothing new came");
        await Loopback.SendAllAsync(connection.Peer, "gh"u8.ToArray());
        result = await waiting.AsTask().WaitAsync(Timeout);
        AssertConsumedAndReleased(connection, result, "cdefgh"u8.ToArray());
    }

    [EpollFact]
    public async Task Read_KeptUnconsumed_GrowsOverSeveralBlocksInOrder_AndConsumingAcrossBlocksFreesThem()
    {
        using Connection connection = await ConnectAsync();
        byte[] data = RandomNumberGenerator.GetBytes(10 * 1024 + 123);
        await Loopback.SendAllAsync(connection.Peer, data);

        ReadResult result = await ReadUntilAsync(connection, r => r.Buffer.Length >= data.Length);
        Assert.False(result.Buffer.IsSingleSegment, "10 KiB do not fit one 4 KiB block");
        Assert.Equal(data, result.Buffer.ToArray());
        Assert.Equal(3, connection.Pool.BlocksAllocated - connection.Pool.BlocksFree);

        // Past the first block and into the second: the first goes back, the rest reads on unchanged.
        connection.Input.AdvanceTo(result.Buffer.GetPosition(5000));
        Assert.Equal(2, connection.Pool.BlocksAllocated - connection.Pool.BlocksFree);
        result = await ReadAsync(connection);
        AssertConsumedAndReleased(connection, result, data[5000..]);
    }

    [EpollFact]
    public async Task PeerEndsStream_ReadCompletesWithTheBytesBeforeIt_AndStaysCompleted()
    {
        using Connection connection = await ConnectAsync();
        await Loopback.SendAllAsync(connection.Peer, "abc"u8.ToArray());
        connection.Peer.Shutdown(SocketShutdown.Send);

        ReadResult result = await ReadUntilAsync(connection, r => r.IsCompleted);
        Assert.Equal("abc"u8.ToArray(), result.Buffer.ToArray());
        connection.Input.AdvanceTo(result.Buffer.End);

        AssertEndedAndReleased(connection, await ReadAsync(connection));
    }

    [EpollFact]
    public async Task CancelPendingRead_WhileWaiting_ReadEndsCanceled_ThenReadsGoOn()
    {
        using Connection connection = await ConnectAsync();
        ValueTask<ReadResult> pending = connection.Input.ReadAsync();
        Assert.False(pending.IsCompleted);

        connection.Input.CancelPendingRead();

        ReadResult result = await pending.AsTask().WaitAsync(Timeout);
        Assert.True(result.IsCanceled);
        Assert.True(result.Buffer.IsEmpty);
        connection.Input.AdvanceTo(result.Buffer.End);
        await Loopback.SendAllAsync(connection.Peer, "x"u8.ToArray());
        result = await ReadAsync(connection);
        Assert.False(result.IsCanceled);
        Assert.Equal("x"u8.ToArray(), result.Buffer.ToArray());
        connection.Input.AdvanceTo(result.Buffer.End);
    }

    [EpollFact]
    public async Task CancelPendingRead_WithNoReadPending_CancelsTheNextReadOnly_KeepingItsBytes()
    {
        using Connection connection = await ConnectAsync();
        await Loopback.SendAllAsync(connection.Peer, "ab"u8.ToArray());
        ReadResult result = await ReadAsync(connection);
        connection.Input.AdvanceTo(result.Buffer.Start, result.Buffer.Start);

        connection.Input.CancelPendingRead();

        result = await ReadAsync(connection);
        Assert.True(result.IsCanceled);
        Assert.Equal("ab"u8.ToArray(), result.Buffer.ToArray());
        connection.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        ValueTask<ReadResult> next = connection.Input.ReadAsync();
        Assert.False(next.IsCompleted, "the cancel was for one read");
        await Loopback.SendAllAsync(connection.Peer, "c"u8.ToArray());
        result = await next.AsTask().WaitAsync(Timeout);
        Assert.False(result.IsCanceled);
        Assert.Equal("abc"u8.ToArray(), result.Buffer.ToArray());
        connection.Input.AdvanceTo(result.Buffer.End);
    }

    [EpollFact]
    public async Task TokenCanceled_WhileWaiting_ReadThrows_AndTheReaderStillWorks()
    {
        using Connection connection = await ConnectAsync();
        using var cts = new CancellationTokenSource();
        ValueTask<ReadResult> pending = connection.Input.ReadAsync(cts.Token);
        Assert.False(pending.IsCompleted);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask().WaitAsync(Timeout));
        await Loopback.SendAllAsync(connection.Peer, "still"u8.ToArray());
        ReadResult result = await ReadAsync(connection);
        Assert.Equal("still"u8.ToArray(), result.Buffer.ToArray());
        connection.Input.AdvanceTo(result.Buffer.End);
    }

    [EpollFact]
    public async Task PeerResets_WaitingReadThrowsIOException_AsDoesTheNext()
    {
        using Connection connection = await ConnectAsync();
        ValueTask<ReadResult> pending = connection.Input.ReadAsync();
        Assert.False(pending.IsCompleted);

        connection.Peer.LingerState = new LingerOption(true, 0);
        connection.Peer.Close();

        await Assert.ThrowsAsync<IOException>(() => pending.AsTask().WaitAsync(Timeout));
        await Assert.ThrowsAsync<IOException>(() => ReadAsync(connection));
        AssertNoBlockHeld(connection);
    }

    [EpollFact]
    public async Task Complete_WhileAReadWaitsElsewhere_TheReadEnds_AndEveryBlockGoesBack()
    {
        using Connection connection = await ConnectAsync();
        await Loopback.SendAllAsync(connection.Peer, "held"u8.ToArray());
        ReadResult result = await ReadAsync(connection);
        connection.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        ValueTask<ReadResult> pending = connection.Input.ReadAsync();
        Assert.False(pending.IsCompleted, "everything was examined");
        Assert.Equal(1, connection.Pool.BlocksAllocated - connection.Pool.BlocksFree);

        connection.Input.Complete();

        result = await pending.AsTask().WaitAsync(Timeout);
        Assert.True(result.IsCanceled);
        Assert.True(result.Buffer.IsEmpty, "the blocks went back; the buffer must not point into them");
        AssertNoBlockHeld(connection);
        Assert.Throws<InvalidOperationException>(() => connection.Input.ReadAsync());
    }

    [EpollFact]
    public async Task TryRead_IdleConnection_FalseWithoutHoldingABlock_TrueOnceThePeerClosed()
    {
        using Connection connection = await ConnectAsync();
        Assert.False(connection.Input.TryRead(out _));
        AssertNoBlockHeld(connection);
        long events = connection.Transport.Channel.ReceiveEvents;

        connection.Peer.Shutdown(SocketShutdown.Send);
        await Loopback.WaitUntilAsync(() => connection.Transport.Channel.ReceiveEvents > events, "the engine saw the FIN");

        Assert.True(connection.Input.TryRead(out ReadResult result));
        AssertEndedAndReleased(connection, result);
    }

    [EpollFact]
    public async Task Transfer_FourMebibytesInOddPieces_ArrivesWhole()
    {
        using Connection connection = await ConnectAsync();
        byte[] data = RandomNumberGenerator.GetBytes(4 * 1024 * 1024);
        Task send = Loopback.SendAllAsync(connection.Peer, data);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long total = 0;
        int round = 0;
        while (total < data.Length)
        {
            ReadResult result = await ReadAsync(connection);
            // Consume an odd share, sometimes nothing but examine all (partial consumption across blocks); all
            // once nothing more will come, since examining everything means waiting for more.
            long length = result.Buffer.Length;
            long take = total + length == data.Length ? length : round++ % 3 == 0 ? 0 : Math.Max(1, length * 2 / 3);
            foreach (ReadOnlyMemory<byte> segment in result.Buffer.Slice(0, take))
            {
                hash.AppendData(segment.Span);
            }
            total += take;
            connection.Input.AdvanceTo(result.Buffer.GetPosition(take), result.Buffer.End);
        }
        await send.WaitAsync(Timeout);
        Assert.Equal(SHA256.HashData(data), hash.GetHashAndReset());
        AssertNoBlockHeld(connection);
    }

    [EpollFact]
    public async Task UrgentDataSeen_ThenDrained_TheNextReadWaitsForTheNextBytes()
    {
        using Connection connection = await ConnectAsync();
        // Urgent data makes every later receive ask the kernel; a read that then finds nothing must still wait.
        connection.Peer.Send("abc"u8);
        connection.Peer.Send("!"u8, SocketFlags.OutOfBand);
        connection.Peer.Send("def"u8);
        ReadResult result = await ReadUntilAsync(connection, r => r.Buffer.Length >= 6);
        connection.Input.AdvanceTo(result.Buffer.End);

        // On another thread: a read that spun on EAGAIN would never return its pending task.
        var returned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<ReadResult> next = Task.Run(() =>
        {
            Task<ReadResult> read = connection.Input.ReadAsync().AsTask();
            returned.SetResult();
            return read;
        });
        await returned.Task.WaitAsync(Timeout);
        Assert.False(next.IsCompleted, "nothing was sent: the read waits");
        await Loopback.SendAllAsync(connection.Peer, "ghi"u8.ToArray());
        result = await next.WaitAsync(Timeout);
        AssertConsumedAndReleased(connection, result, "ghi"u8.ToArray());
    }

    [EpollFact]
    public async Task CompleteAndDispose_WhileTheCallerHoldsABuffer_BlocksGoBackOnlyAtItsAdvance()
    {
        using Connection connection = await ConnectAsync();
        await Loopback.SendAllAsync(connection.Peer, "held"u8.ToArray());
        ReadResult result = await ReadAsync(connection);

        // As an owner disposing its connection from inside its own read loop (an h2c GOAWAY with frames behind it).
        connection.Input.Complete();
        connection.Transport.Dispose();

        Assert.Equal("held"u8.ToArray(), result.Buffer.ToArray());
        Assert.Equal(1, connection.Pool.BlocksAllocated - connection.Pool.BlocksFree);
        Assert.Throws<InvalidOperationException>(() => connection.Input.AdvanceTo(result.Buffer.End));
        AssertNoBlockHeld(connection);
    }
}
