using System.Buffers;
using System.Net.Sockets;
using System.Security.Cryptography;
using Meshy.Engine.Transport;
using Meshy.Testing;

namespace Meshy.Engine.Tests.Transport;

/// <summary>
/// <see cref="SendBatch"/> over real loopback sockets, driven on the test's thread as an engine turn drives it: a send
/// made while the batch is the thread's waits for <see cref="SendBatch.Flush"/>, which makes every queued send in one
/// call; what the kernel does not take goes on as a plain send; failures are the kernel's; nothing outlives the call.
/// </summary>
[Collection(EpollSocketChannelTests.Alone)]
public sealed class SendBatchTests
{
    private static readonly TimeSpan Timeout = Loopback.DefaultTimeout;

    [IoUringFact]
    public async Task Flush_SendsOfFourSockets_NoneLeavesBeforeFlush_ThenEachArrivesWhole()
    {
        using var ring = IoUring.TryCreate(8, setting: null)!;
        using var batch = new SendBatch(ring);
        var pairs = new List<(EpollSocketChannel Channel, Socket Peer)>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                pairs.Add(await ConnectAsync());
            }
            var senders = pairs.Select(pair => pair.Channel.CreateSender()).ToArray();
            // Two plain buffers (send) and two of three segments (sendmsg).
            byte[][] payloads = [.. Enumerable.Range(0, 4).Select(i => RandomNumberGenerator.GetBytes(100 + (i * 1000)))];
            var sends = new ValueTask[4];

            SendBatch.Current = batch;
            try
            {
                for (int i = 0; i < 4; i++)
                {
                    sends[i] = i % 2 == 0
                        ? senders[i].SendAsync(payloads[i], CancellationToken.None)
                        : senders[i].SendAsync(SequenceShapes.FromChunks(Split(payloads[i], 3)), CancellationToken.None);
                }
            }
            finally
            {
                SendBatch.Current = null;
            }

            Assert.All(sends, send => Assert.False(send.IsCompleted, "a batched send completes at the flush"));
            Assert.All(pairs, pair => Assert.Equal(0, pair.Peer.Available));
            Assert.All(senders, sender => Assert.Equal(0, sender.BytesSent));

            batch.Flush();

            Assert.All(sends, send => Assert.True(send.IsCompletedSuccessfully));
            Assert.Equal(0, ring.Queued);
            for (int i = 0; i < 4; i++)
            {
                sends[i].GetAwaiter().GetResult();
                Assert.Equal(payloads[i], await Loopback.ReadExactlyAsync(pairs[i].Peer, payloads[i].Length));
                Assert.Equal(payloads[i].Length, senders[i].BytesSent);
            }
        }
        finally
        {
            Close(pairs);
        }
    }

    [IoUringFact]
    public async Task Flush_MoreThanTheSocketTakes_RestGoesOnAsPlainSend_AllArrivesInOrder()
    {
        using OnePair pair = await OnePairAsync();
        (SendBatch batch, EpollSocketChannel channel, Socket peer) = pair;
        var pool = new BlockMemoryPool();
        var blocks = new List<IMemoryOwner<byte>>();
        try
        {
            // 100 pooled segments of 16 KiB less a bit: more than one sendmsg takes (64), and far more than the
            // fixed 32 KiB send buffer holds while the peer does not read.
            channel.Socket.SendBufferSize = 32 * 1024;
            var chunks = new List<ReadOnlyMemory<byte>>();
            for (int i = 0; i < 100; i++)
            {
                IMemoryOwner<byte> block = pool.Rent();
                blocks.Add(block);
                Memory<byte> chunk = block.Memory[7..];
                RandomNumberGenerator.Fill(chunk.Span);
                chunks.Add(chunk);
            }
            ReadOnlySequence<byte> sequence = SequenceShapes.FromChunks(chunks);
            byte[] expected = SHA256.HashData(sequence.ToArray());
            using SocketSender sender = channel.CreateSender();

            ValueTask send = InTurn(batch, () => sender.SendAsync(sequence, CancellationToken.None));
            batch.Flush();

            Assert.False(send.IsCompleted, "the rest waits for the peer to read");
            Assert.InRange(sender.BytesSent, 1, sequence.Length - 1);
            Task<(byte[] Hash, long Length)> reading = Loopback.HashToEndAsync(peer);
            await send.AsTask().WaitAsync(Timeout);
            channel.Socket.Shutdown(SocketShutdown.Send);
            (byte[] hash, long received) = await reading.WaitAsync(Timeout);

            Assert.Equal(sequence.Length, received);
            Assert.Equal(expected, hash);
            Assert.Equal(sequence.Length, sender.BytesSent);
        }
        finally
        {
            foreach (IMemoryOwner<byte> block in blocks)
            {
                block.Dispose();
            }
        }
    }

    [IoUringFact]
    public async Task Flush_MoreSegmentsThanOneSendmsgTakes_TheRestGoesOnPlainly_InOrder()
    {
        using OnePair pair = await OnePairAsync();
        (SendBatch batch, EpollSocketChannel channel, Socket peer) = pair;
        // 100 small segments (room for all in the socket): the batch's sendmsg takes the first 64 whole.
        byte[] data = RandomNumberGenerator.GetBytes(1000);
        ReadOnlySequence<byte> sequence = SequenceShapes.FromChunks(Split(data, 100));
        int segments = 0;
        foreach (ReadOnlyMemory<byte> _ in sequence)
        {
            segments++;
        }
        Assert.Equal(100, segments);
        using SocketSender sender = channel.CreateSender();

        ValueTask send = InTurn(batch, () => sender.SendAsync(sequence, CancellationToken.None));
        batch.Flush();

        Assert.True(send.IsCompletedSuccessfully, "the 36 segments past the sendmsg went out plainly within the flush");
        Assert.Equal(data, await Loopback.ReadExactlyAsync(peer, data.Length));
        Assert.Equal(data.Length, sender.BytesSent);
    }

    [IoUringFact]
    public async Task Flush_PeerReset_SendFailsWithTheKernelsError()
    {
        using OnePair pair = await OnePairAsync();
        (SendBatch batch, EpollSocketChannel channel, Socket peer) = pair;
        peer.LingerState = new LingerOption(enable: true, seconds: 0);
        peer.Close();
        await Loopback.WaitUntilAsync(() => channel.Socket.Poll(0, SelectMode.SelectRead), "the reset arrives");
        using SocketSender sender = channel.CreateSender();

        ValueTask send = InTurn(batch, () => sender.SendAsync("after the reset"u8.ToArray(), CancellationToken.None));
        batch.Flush();

        var failed = await Assert.ThrowsAsync<SocketException>(() => send.AsTask().WaitAsync(Timeout));
        Assert.True(failed.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown, $"got {failed.SocketErrorCode}");
        Assert.Equal(0, sender.BytesSent);
    }

    [IoUringFact]
    public async Task Flush_ContinuationSendsAgain_ThatSendJoinsTheSameFlush()
    {
        using OnePair pair = await OnePairAsync();
        (SendBatch batch, EpollSocketChannel channel, Socket peer) = pair;
        using SocketSender sender = channel.CreateSender();
        ValueTask second = default;
        bool secondStarted = false;

        SendBatch.Current = batch;
        try
        {
            ValueTask first = sender.SendAsync("head;"u8.ToArray(), CancellationToken.None);
            // As an await on the engine's thread resumes: inline, whatever context the test runs in.
            first.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() =>
            {
                first.GetAwaiter().GetResult();
                second = sender.SendAsync("body"u8.ToArray(), CancellationToken.None);
                // Queued, not sent plainly: the batch is still this thread's.
                secondStarted = !second.IsCompleted;
            });
            Assert.False(first.IsCompleted);

            batch.Flush();
        }
        finally
        {
            SendBatch.Current = null;
        }

        Assert.True(secondStarted, "the first send's continuation ran inside the flush and queued its send");
        Assert.True(second.IsCompletedSuccessfully, "the flush went round again for the send its continuation made");
        Assert.Equal(0, pair.Ring.Queued);
        Assert.Equal("head;body"u8.ToArray(), await Loopback.ReadExactlyAsync(peer, 9));
    }

    [IoUringFact]
    public async Task Flush_SocketClosedOnThisThreadWhileQueued_CloseDoesNotWait_SendFailsAsDisposed()
    {
        using var ring = IoUring.TryCreate(8, setting: null)!;
        using var batch = new SendBatch(ring);
        (Socket accepted, Socket peer) = await Loopback.ConnectPairAsync();
        using var _ = peer;
        var channel = new EpollSocketChannel(accepted, EpollEngine.Next());
        using SocketSender sender = channel.CreateSender();

        ValueTask send = InTurn(batch, () => sender.SendAsync("too late"u8.ToArray(), CancellationToken.None));
        // Closed before the flush (as the batch's own thread may do): the close must not wait for the flush (a socket's
        // close spins until its handle's last reference goes), and no socket that reuses the descriptor gets the bytes.
        Task closing = Task.Run(channel.Close);
        await closing.WaitAsync(Timeout);
        (Socket other, Socket otherPeer) = await Loopback.ConnectPairAsync();
        using var __ = other;
        using var ___ = otherPeer;
        batch.Flush();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => send.AsTask().WaitAsync(Timeout));
        Assert.Empty(await Loopback.ReadToEndAsync(peer));
        Assert.Equal(0, other.Available);
        Assert.Equal(0, otherPeer.Available);
        Assert.Equal(0, sender.BytesSent);
    }

    [IoUringFact]
    public async Task SendAsync_BatchFull_SendsAtOnceInstead()
    {
        using var ring = IoUring.TryCreate(2, setting: null)!;
        using var batch = new SendBatch(ring);
        var pairs = new List<(EpollSocketChannel Channel, Socket Peer)>();
        try
        {
            for (int i = 0; i <= ring.Capacity; i++)
            {
                pairs.Add(await ConnectAsync());
            }
            var sends = new ValueTask[pairs.Count];

            SendBatch.Current = batch;
            try
            {
                for (int i = 0; i < pairs.Count; i++)
                {
                    sends[i] = pairs[i].Channel.CreateSender().SendAsync(new[] { (byte)i }, CancellationToken.None);
                }
            }
            finally
            {
                SendBatch.Current = null;
            }

            Assert.All(sends[..ring.Capacity], send => Assert.False(send.IsCompleted));
            Assert.True(sends[ring.Capacity].IsCompletedSuccessfully, "no room in the batch: sent at once");
            batch.Flush();
            for (int i = 0; i < pairs.Count; i++)
            {
                Assert.True(sends[i].IsCompletedSuccessfully);
                Assert.Equal(new[] { (byte)i }, await Loopback.ReadExactlyAsync(pairs[i].Peer, 1));
            }
        }
        finally
        {
            Close(pairs);
        }
    }

    [IoUringFact]
    public async Task SendAsync_SenderThatSendsAtOnce_GoesToTheKernelNow_NotIntoTheBatch()
    {
        using OnePair pair = await OnePairAsync();
        (SendBatch batch, EpollSocketChannel channel, Socket peer) = pair;
        using SocketSender sender = channel.CreateSender();
        sender.SendsAtOnce = true;

        ValueTask send = InTurn(batch, () => sender.SendAsync("now"u8.ToArray(), CancellationToken.None));

        Assert.True(send.IsCompletedSuccessfully, "sent before the flush");
        Assert.Equal(3, sender.BytesSent);
        Assert.Equal("now"u8.ToArray(), await Loopback.ReadExactlyAsync(peer, 3));
        batch.Flush();
    }

    [IoUringFact]
    public async Task SendAsync_SecondSendWhileTheFirstIsQueued_RefusedAtOnce_FirstStillGoesOut()
    {
        using OnePair pair = await OnePairAsync();
        (SendBatch batch, EpollSocketChannel channel, Socket peer) = pair;
        using SocketSender sender = channel.CreateSender();

        ValueTask first = InTurn(batch, () => sender.SendAsync("first"u8.ToArray(), CancellationToken.None));
        // One send at a time: a second one now would overtake or corrupt the queued one.
        Assert.Throws<InvalidOperationException>(() => InTurn(batch, () => sender.SendAsync("second"u8.ToArray(), CancellationToken.None)));
        batch.Flush();

        Assert.True(first.IsCompletedSuccessfully);
        Assert.Equal("first"u8.ToArray(), await Loopback.ReadExactlyAsync(peer, 5));
        Assert.Equal(5, sender.BytesSent);
    }

    [IoUringFact]
    public async Task SendAtOnceAsync_WhileTheBatchIsTheThreads_GoesToTheKernelNow()
    {
        using OnePair pair = await OnePairAsync();
        (SendBatch batch, EpollSocketChannel channel, Socket peer) = pair;
        using SocketSender sender = channel.CreateSender();

        ValueTask send = InTurn(batch, () => sender.SendAtOnceAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), CancellationToken.None));

        Assert.True(send.IsCompletedSuccessfully, "sent before any flush");
        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), await Loopback.ReadExactlyAsync(peer, 25));
    }

    /// <summary>Runs <paramref name="send"/> as work of an engine turn: with <paramref name="batch"/> the thread's batch.</summary>
    private static ValueTask InTurn(SendBatch batch, Func<ValueTask> send)
    {
        SendBatch.Current = batch;
        try
        {
            return send();
        }
        finally
        {
            SendBatch.Current = null;
        }
    }

    /// <summary>A batch on an 8-entry ring of its own and one loopback pair (see <see cref="ConnectAsync"/>); disposing closes them all.</summary>
    private sealed class OnePair(IoUring ring, SendBatch batch, EpollSocketChannel channel, Socket peer) : IDisposable
    {
        public IoUring Ring => ring;

        public void Deconstruct(out SendBatch pairBatch, out EpollSocketChannel pairChannel, out Socket pairPeer) =>
            (pairBatch, pairChannel, pairPeer) = (batch, channel, peer);

        public void Dispose()
        {
            channel.Close();
            peer.Dispose();
            batch.Dispose();
            ring.Dispose();
        }
    }

    private static async Task<OnePair> OnePairAsync()
    {
        IoUring ring = IoUring.TryCreate(8, setting: null)!;
        var batch = new SendBatch(ring);
        (EpollSocketChannel channel, Socket peer) = await ConnectAsync();
        return new OnePair(ring, batch, channel, peer);
    }

    /// <summary>A loopback pair: the channel (on the epoll engine) wraps the accepted side, the test drives the other.</summary>
    private static async Task<(EpollSocketChannel Channel, Socket Peer)> ConnectAsync()
    {
        (Socket accepted, Socket peer) = await Loopback.ConnectPairAsync();
        return (new EpollSocketChannel(accepted, EpollEngine.Next()), peer);
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Split(byte[] data, int parts)
    {
        int size = (data.Length + parts - 1) / parts;
        for (int offset = 0; offset < data.Length; offset += size)
        {
            yield return data.AsMemory(offset, Math.Min(size, data.Length - offset));
        }
    }

    private static void Close(List<(EpollSocketChannel Channel, Socket Peer)> pairs)
    {
        foreach ((EpollSocketChannel channel, Socket peer) in pairs)
        {
            channel.Close();
            peer.Dispose();
        }
    }
}
