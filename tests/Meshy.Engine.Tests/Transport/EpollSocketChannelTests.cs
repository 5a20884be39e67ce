using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Cryptography;
using Meshy.Engine.Transport;
using Meshy.Testing;

namespace Meshy.Engine.Tests.Transport;

/// <summary>
/// Meshy's own epoll engine (<see cref="EpollSocketChannel"/>, <see cref="EpollSocketSender"/>, <see cref="EpollEngine"/>)
/// over real loopback sockets: the "a short receive drained the socket" shortcut, the end of the stream, closing and
/// cancelling blocked IO, gathered sends, and slot reuse.
/// </summary>
[Collection(EpollSocketChannelTests.Alone)]
public sealed class EpollSocketChannelTests
{
    /// <summary>
    /// Run alone, after the parallel tests: 16 MiB sends stalled on zero windows and 400 connections at once
    /// are heavy company for tests that wait on the scheduling of others.
    /// </summary>
    public const string Alone = "epoll engine, alone";

    private static readonly TimeSpan Timeout = Loopback.DefaultTimeout;

    private const int BlockedSendLength = 16 * 1024 * 1024;
    private const byte BlockedSendByte = 0x5A;

    // struct tcp_info (linux/tcp.h): tcpi_state at 0 (TCP_CLOSE_WAIT, 8: the peer's FIN has arrived), tcpi_snd_wnd at 228.
    private const int IpProtoTcp = 6;
    private const int TcpInfo = 11;
    private const int TcpInfoLength = 512;
    private const byte TcpCloseWait = 8;
    private const byte TcpClose = 7;
    private const int SendWindowOffset = 228;

    /// <summary>A connected pair: the channel wraps the accepted side, the test drives the other.</summary>
    private static async Task<(EpollSocketChannel Channel, Socket Peer)> ConnectAsync()
    {
        (Socket accepted, Socket peer) = await Loopback.ConnectPairAsync();
        return (new EpollSocketChannel(accepted, EpollEngine.Next()), peer);
    }

    /// <summary>
    /// The wait a reader makes before receiving (as <see cref="SocketReader"/> does): none while the last receive
    /// may have left bytes queued, else the socket's next readiness event.
    /// </summary>
    private static ValueTask WaitToReceiveAsync(EpollSocketChannel channel) =>
        channel.ReceiveNeedsEvent
            ? new ReadinessWaiter().WaitAsync(channel.Readable, channel.EventsBeforeLastReceive, CancellationToken.None)
            : ValueTask.CompletedTask;

    /// <summary>Receives into <paramref name="buffer"/>, waiting for the socket's next event while the kernel has nothing.</summary>
    private static async Task<int> ReceiveAsync(EpollSocketChannel channel, byte[] buffer)
    {
        while (true)
        {
            int received = channel.ReceiveNow(buffer);
            if (received >= 0)
            {
                return received;
            }
            await new ReadinessWaiter().WaitAsync(channel.Readable, channel.EventsBeforeLastReceive, CancellationToken.None).AsTask().WaitAsync(Timeout);
        }
    }

    /// <summary>The peer sends <paramref name="data"/>; the channel waits for it and receives it into <paramref name="buffer"/>.</summary>
    private static async Task<byte[]> PeerSendsAsync(EpollSocketChannel channel, Socket peer, byte[] data, byte[] buffer)
    {
        await Loopback.SendAllAsync(peer, data);
        await WaitToReceiveAsync(channel).AsTask().WaitAsync(Timeout);
        int received = await ReceiveAsync(channel, buffer).WaitAsync(Timeout);
        return buffer[..received];
    }

    /// <summary>
    /// 2 MiB from the channel through a 4 KiB send buffer: the send blocks until the peer reads, then finishes on
    /// the engine's write-readiness events, with every byte intact.
    /// </summary>
    private static async Task SendBlockedUntilPeerReadsAsync(EpollSocketChannel channel, Socket peer)
    {
        channel.Socket.SendBufferSize = 4096;
        using SocketSender sender = channel.CreateSender();
        byte[] data = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        long writableEvents = channel.Writable.Events;
        ValueTask send = sender.SendAsync(data, CancellationToken.None);
        Assert.False(send.IsCompleted, "2 MiB cannot fit in the buffers while the peer does not read");
        byte[] arrived = await Loopback.ReadExactlyAsync(peer, data.Length);
        await send.AsTask().WaitAsync(Timeout);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(arrived));
        Assert.True(channel.Writable.Events > writableEvents, "the blocked send resumed on the engine's events");
    }

    [EpollFact]
    public async Task EpollChannel_ConnectedSocket_NonBlockingRegisteredWithEpollSender()
    {
        // Processes pick the engine once: epoll only where continuations run inline, as in meshy.
        Assert.Equal(EpollEngine.InlineCompletions, SocketChannel.UsesEpoll);

        (Socket accepted, Socket peer) = await Loopback.ConnectPairAsync();
        using var _ = peer;

        SocketChannel channel = new EpollSocketChannel(accepted, EpollEngine.Next());
        try
        {
            var epoll = Assert.IsType<EpollSocketChannel>(channel);
            Assert.Same(accepted, epoll.Socket);
            Assert.False(accepted.Blocking, "the engine's system calls must return EAGAIN, never block its callers");
            Assert.NotEqual(0UL, epoll.Token);     // registered: generation 0 is never handed out
            using SocketSender sender = channel.CreateSender();
            Assert.IsType<EpollSocketSender>(sender);
        }
        finally
        {
            channel.Close();
        }
    }

    [EpollFact]
    public async Task ReceiveEvents_StillWhileOnlySending_MoveWhenThePeerSendsOrEnds()
    {
        // An idle pooled connection is reused without reading its pipe when this count has not moved.
        (EpollSocketChannel channel, Socket peer) = await ConnectAsync();
        using var _ = peer;
        try
        {
            byte[] buffer = new byte[1024];
            Assert.Equal("answer"u8.ToArray(), await PeerSendsAsync(channel, peer, "answer"u8.ToArray(), buffer));
            long idle = channel.ReceiveEvents;
            Assert.True(idle > 0, "the answer came with a receive-readiness event");

            // Our own sends, blocked then resumed on write-readiness events, must not move it.
            await SendBlockedUntilPeerReadsAsync(channel, peer);
            Assert.Equal(idle, channel.ReceiveEvents);

            await Loopback.SendAllAsync(peer, "unsolicited"u8.ToArray());
            await Loopback.WaitUntilAsync(() => channel.ReceiveEvents > idle, "bytes from the peer move the count");
            Assert.Equal(11, await ReceiveAsync(channel, buffer).WaitAsync(Timeout));

            long beforeEnd = channel.ReceiveEvents;
            peer.Shutdown(SocketShutdown.Send);
            await Loopback.WaitUntilAsync(() => channel.ReceiveEvents > beforeEnd, "the peer's end moves the count");
        }
        finally
        {
            channel.Close();
        }
    }

    [EpollFact]
    public async Task NextReceive_AfterShortReceive_WaitsUntilPeerSendsMore()
    {
        (EpollSocketChannel channel, Socket peer) = await ConnectAsync();
        using var _ = peer;
        try
        {
            byte[] buffer = new byte[1024];
            Assert.Equal("first"u8.ToArray(), await PeerSendsAsync(channel, peer, "first"u8.ToArray(), buffer));

            ValueTask wait = WaitToReceiveAsync(channel);
            Assert.False(wait.IsCompleted, "5 bytes into a 1 KiB buffer drained the socket: nothing to receive yet");

            // Barrier: make the engine deliver events for this very socket while the peer sends nothing. A send the
            // peer does not read blocks; it finishes only after write-readiness events, and each event carries the
            // socket's whole readiness mask, so a wrongly routed or level-triggered read wake would show up here.
            await SendBlockedUntilPeerReadsAsync(channel, peer);
            Assert.False(wait.IsCompleted, "write-readiness events must not wake a receive wait");

            await Loopback.SendAllAsync(peer, "second!"u8.ToArray());
            await wait.AsTask().WaitAsync(Timeout);
            int received = await ReceiveAsync(channel, buffer).WaitAsync(Timeout);
            Assert.Equal("second!"u8.ToArray(), buffer[..received]);
        }
        finally
        {
            channel.Close();
        }
    }

    [EpollFact]
    public async Task NextReceive_AfterReceiveFilledBuffer_GoesStraightToTheKernel()
    {
        (EpollSocketChannel channel, Socket peer) = await ConnectAsync();
        using var _ = peer;
        try
        {
            // One 100-byte send is one segment: all of it is queued once the first event arrived.
            byte[] data = RandomNumberGenerator.GetBytes(100);
            await Loopback.SendAllAsync(peer, data);
            await WaitToReceiveAsync(channel).AsTask().WaitAsync(Timeout);

            byte[] buffer = new byte[16];
            var received = new List<byte>();
            for (int i = 0; i < 6; i++)
            {
                Assert.Equal(16, await ReceiveAsync(channel, buffer).WaitAsync(Timeout));
                received.AddRange(buffer);
                // Edge-triggered: no new event comes for bytes already queued, so this must not wait for one.
                Assert.True(WaitToReceiveAsync(channel).IsCompleted, $"a full buffer ({i + 1} of 6) means more may be queued");
            }
            Assert.Equal(4, await ReceiveAsync(channel, buffer).WaitAsync(Timeout));
            received.AddRange(buffer[..4]);
            Assert.Equal(data, received.ToArray());

            ValueTask wait = WaitToReceiveAsync(channel);
            Assert.False(wait.IsCompleted, "the last receive came back short: the socket is drained");
            channel.Close();
            await wait.AsTask().WaitAsync(Timeout);
        }
        finally
        {
            channel.Close();
        }
    }

    [EpollFact]
    public async Task PeerResets_ReceiveAndSendFailWithTheKernelsError()
    {
        // The failure paths read errno themselves (no SetLastError marshalling): a reset must come out as a reset,
        // not as the end of the stream (0) or a wait (EAGAIN).
        (EpollSocketChannel channel, Socket peer) = await ConnectAsync();
        try
        {
            peer.LingerState = new LingerOption(enable: true, seconds: 0);
            peer.Close(); // RST
            await Loopback.WaitUntilAsync(() => TcpState(channel.Socket) == TcpClose, "the peer's RST reaches the socket");

            var received = Assert.Throws<SocketException>(() => channel.ReceiveNow(new byte[64]));
            Assert.Equal(SocketError.ConnectionReset, received.SocketErrorCode);

            using SocketSender sender = channel.CreateSender();
            var sent = await Assert.ThrowsAnyAsync<Exception>(async () => await sender.SendAsync(new byte[64], CancellationToken.None));
            SocketException error = sent as SocketException ?? Assert.IsType<SocketException>(sent.InnerException);
            Assert.Contains(error.SocketErrorCode, new[] { SocketError.ConnectionReset, SocketError.Shutdown }); // ECONNRESET or EPIPE
        }
        finally
        {
            channel.Close();
        }
    }

    [EpollFact]
    public async Task ReceiveNow_DataAndFinQueuedBeforeFirstReceive_ReturnsDataThenZero()
    {
        (Socket accepted, Socket peer) = await Loopback.ConnectPairAsync();
        using var _ = peer;
        await Loopback.SendAllAsync(peer, "last words"u8.ToArray());
        peer.Shutdown(SocketShutdown.Send);
        await Loopback.WaitUntilAsync(() => TcpState(accepted) == TcpCloseWait, "the peer's FIN reaches the socket");

        // Registered with data and FIN already queued: one edge (at registration) for both, none after.
        var channel = new EpollSocketChannel(accepted, EpollEngine.Next());
        try
        {
            await WaitToReceiveAsync(channel).AsTask().WaitAsync(Timeout);
            byte[] buffer = new byte[1024];
            int received = await ReceiveAsync(channel, buffer).WaitAsync(Timeout);
            Assert.Equal("last words"u8.ToArray(), buffer[..received]);

            // The short receive left the FIN behind, and no new edge will announce it.
            ValueTask wait = WaitToReceiveAsync(channel);
            Assert.True(wait.IsCompleted, "the end of the stream is still to be received: the wait must not need another event");
            await wait;
            Assert.Equal(0, await ReceiveAsync(channel, buffer).WaitAsync(Timeout));
        }
        finally
        {
            channel.Close();
        }
    }

    [EpollFact]
    public async Task Input_UrgentDataBetweenQueuedBytes_EveryInlineByteArrives()
    {
        (Socket accepted, Socket peer) = await Loopback.ConnectPairAsync();
        using var _ = peer;
        // A receive stops short at the urgent mark with "def" still queued behind it, and no new edge comes.
        peer.Send("abc"u8);
        peer.Send("!"u8, SocketFlags.OutOfBand);
        peer.Send("def"u8);
        // FIONREAD counts only up to the urgent mark; select's exceptional condition says the urgent byte is in.
        // Loopback delivers within send(), so "def" is queued by then as well.
        await Loopback.WaitUntilAsync(() => accepted.Poll(0, SelectMode.SelectError), "the urgent byte reaches the socket");

        using SocketTransport transport = PipeOptionsFactory.Default.CreateConnection(new EpollSocketChannel(accepted, EpollEngine.Next()));
        using var cts = new CancellationTokenSource(Timeout);
        ReadResult result = await transport.Input.ReadAsync(cts.Token);
        while (result.Buffer.Length < 6)
        {
            transport.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            result = await transport.Input.ReadAsync(cts.Token);
        }
        Assert.Equal("abcdef"u8.ToArray(), result.Buffer.ToArray());
        transport.Input.AdvanceTo(result.Buffer.End);
    }

    [EpollFact]
    public async Task Abort_WhileAReadWaits_InputFailsWithIOExceptionAndPeerSeesReset()
    {
        (Socket accepted, Socket peer) = await Loopback.ConnectPairAsync();
        using var _ = peer;
        using SocketTransport transport = PipeOptionsFactory.Default.CreateConnection(new EpollSocketChannel(accepted, EpollEngine.Next()));
        Assert.IsType<EpollSocketChannel>(transport.Channel);
        using var cts = new CancellationTokenSource(Timeout);
        ValueTask<ReadResult> pending = transport.Input.ReadAsync(cts.Token);
        Assert.False(pending.IsCompleted, "the peer sent nothing");

        transport.Abort();

        // A timeout would surface as OperationCanceledException, not IOException.
        await Assert.ThrowsAsync<IOException>(async () => await pending);
        var reset = await Assert.ThrowsAsync<SocketException>(
            () => peer.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(Timeout));
        Assert.Equal(SocketError.ConnectionReset, reset.SocketErrorCode);
    }

    [EpollFact]
    public async Task SendFails_WhileAReadWaits_TheReadEndsToo()
    {
        // Writing shut down on this side: a send fails (EPIPE), though the peer could still send; without the sender
        // shutting the socket down both ways, the read would wait for the peer (the router reads an upstream's
        // response while the request's head is still being sent, and counts on a failed send ending that read).
        (Socket accepted, Socket peer) = await Loopback.ConnectPairAsync();
        using var _ = peer;
        using SocketTransport transport = PipeOptionsFactory.Default.CreateConnection(new EpollSocketChannel(accepted, EpollEngine.Next()));
        using SocketSender sender = transport.Channel.CreateSender();
        Assert.True(sender.FailureEndsReads);
        using var cts = new CancellationTokenSource(Timeout);
        ValueTask<ReadResult> pending = transport.Input.ReadAsync(cts.Token);
        Assert.False(pending.IsCompleted, "the peer sent nothing");
        accepted.Shutdown(SocketShutdown.Send);

        await Assert.ThrowsAsync<SocketException>(async () => await sender.SendAsync(new byte[] { 1, 2, 3 }, CancellationToken.None));

        // A timeout would surface as OperationCanceledException; the end of the stream is what the shutdown gives.
        ReadResult result = await pending;
        Assert.True(result.IsCompleted);
        Assert.True(result.Buffer.IsEmpty);
    }

    [EpollFact]
    public Task Close_WhileSendBlockedOnUnreadPeer_SendFails() =>
        AssertEndingTheChannelFailsABlockedSendAsync(channel => channel.Close(), "closing the channel");

    [EpollFact]
    public Task Reset_WhileSendBlockedOnUnreadPeer_SendFails() =>
        // An abortive close takes the socket out of the epoll set without an event: only the channel itself can
        // wake the sender.
        AssertEndingTheChannelFailsABlockedSendAsync(channel => channel.Reset(), "resetting the channel");

    private static async Task AssertEndingTheChannelFailsABlockedSendAsync(Action<SocketChannel> end, string what)
    {
        (EpollSocketChannel channel, Socket peer) = await ConnectAsync();
        using var _ = peer;
        try
        {
            using SocketSender sender = channel.CreateSender();
            Task send = await StartBlockedSendAsync(channel, sender, CancellationToken.None);

            end(channel);

            await AssertSendFailsAsync(send, what);
            Assert.InRange(sender.BytesSent, 1, BlockedSendLength - 1);
        }
        finally
        {
            channel.Close();
        }
    }

    [EpollFact]
    public async Task SendAsync_BlockedThenCanceled_ThrowsOperationCanceledAndSenderStaysUsable()
    {
        (EpollSocketChannel channel, Socket peer) = await ConnectAsync();
        using var _ = peer;
        try
        {
            using SocketSender sender = channel.CreateSender();
            using var cancel = new CancellationTokenSource();
            Task send = await StartBlockedSendAsync(channel, sender, cancel.Token);

            await cancel.CancelAsync();

            // A timeout would surface as TimeoutException.
            var canceled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.WaitAsync(Timeout));
            Assert.Equal(cancel.Token, canceled.CancellationToken);
            long taken = sender.BytesSent;
            Assert.InRange(taken, 1, BlockedSendLength - 1);

            // The cancelled wait left nothing behind: the same sender sends again once the peer drains the socket.
            Task<byte[]> drained = Loopback.ReadToEndAsync(peer);
            await sender.SendAsync("after"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(Timeout);
            channel.Socket.Shutdown(SocketShutdown.Send);
            byte[] arrived = await drained;
            Assert.Equal(taken + 5, arrived.LongLength);
            Assert.All(arrived[..(int)taken], value => Assert.Equal(BlockedSendByte, value));
            Assert.Equal("after"u8.ToArray(), arrived[(int)taken..]);
            Assert.Equal(taken + 5, sender.BytesSent);
        }
        finally
        {
            channel.Close();
        }
    }

    [EpollFact]
    public async Task SendAsync_SequenceOfMoreThan64Segments_ArrivesCompleteInOrderAndCounted()
    {
        (EpollSocketChannel channel, Socket peer) = await ConnectAsync();
        using var _ = peer;
        var pool = new BlockMemoryPool();
        var blocks = new List<IMemoryOwner<byte>>();
        try
        {
            // 1. 400 segments, each a slice of its own pooled block at a non-zero offset: first tiny ones (64 of them
            //    fit one sendmsg, so the sender must go on past its 64-vector batch), then big ones (a batch is taken
            //    in part, so the sender resumes mid-segment), with empty segments in between.
            var chunks = new List<ReadOnlyMemory<byte>>();
            for (int i = 0; i < 400; i++)
            {
                IMemoryOwner<byte> block = pool.Rent();
                blocks.Add(block);
                int offset = Random.Shared.Next(1, 64);
                int length = i < 200 ? Random.Shared.Next(1, 65) : Random.Shared.Next(pool.BlockSize / 2, pool.BlockSize - offset);
                Memory<byte> chunk = block.Memory.Slice(offset, length);
                RandomNumberGenerator.Fill(chunk.Span);
                chunks.Add(chunk);
                if (i % 50 == 0)
                {
                    chunks.Add(ReadOnlyMemory<byte>.Empty);
                }
            }
            ReadOnlySequence<byte> sequence = SequenceShapes.FromChunks(chunks);
            byte[] expected = SHA256.HashData(sequence.ToArray());

            // 2. The peer does not read yet: the send must stop partway and wait for write readiness. A fixed send
            //    buffer (the kernel would otherwise grow it to megabytes) makes it stop many times more later on.
            channel.Socket.SendBufferSize = 32 * 1024;
            using SocketSender sender = channel.CreateSender();
            ValueTask send = sender.SendAsync(sequence, CancellationToken.None);
            Assert.False(send.IsCompleted, "megabytes cannot fit in the socket buffers while the peer does not read");

            // 3. The peer reads; each of its reads frees room for the next partial send.
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
            channel.Close();
            foreach (IMemoryOwner<byte> block in blocks)
            {
                block.Dispose();
            }
        }
    }

    [EpollFact]
    public async Task Transports_200OpenAtOnceThen200After_AllEchoAndSlotsAreReused()
    {
        const int Connections = 200;
        IReadOnlyList<ulong> firstTokens = await EchoThroughTransportsAsync(Connections, round: 0);
        IReadOnlyList<ulong> secondTokens = await EchoThroughTransportsAsync(Connections, round: 1);

        // The second round took slots the first freed (a token is the generation above the slot). NOTE: tokens are
        // unique per engine only, and with inline completions there is one engine per core, so this compares slots.
        var firstSlots = firstTokens.Select(token => (uint)token).ToHashSet();
        Assert.Contains(secondTokens, token => firstSlots.Contains((uint)token));
    }

    /// <summary>
    /// Opens <paramref name="count"/> transports at once, echoes a distinct payload through each (peer → Input →
    /// Output → peer), closes them all, and returns their engine tokens (slot and generation).
    /// </summary>
    private static async Task<IReadOnlyList<ulong>> EchoThroughTransportsAsync(int count, int round)
    {
        var pairs = new List<(SocketTransport Transport, Socket Peer)>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                (Socket accepted, Socket peer) = await Loopback.ConnectPairAsync();
                pairs.Add((PipeOptionsFactory.Default.CreateConnection(new EpollSocketChannel(accepted, EpollEngine.Next())), peer));
            }
            var tokens = pairs.Select(pair => Assert.IsType<EpollSocketChannel>(pair.Transport.Channel).Token).ToList();
            await Task.WhenAll(pairs.Select((pair, index) => EchoOnceAsync(pair.Transport, pair.Peer, round, index)));
            return tokens;
        }
        finally
        {
            foreach ((SocketTransport transport, Socket peer) in pairs)
            {
                transport.Dispose();
                peer.Dispose();
            }
        }
    }

    private static async Task EchoOnceAsync(SocketTransport transport, Socket peer, int round, int index)
    {
        byte[] payload = new byte[4096 + index];
        RandomNumberGenerator.Fill(payload);
        BitConverter.TryWriteBytes(payload, (round * 1000) + index);

        Task echo = EchoAsync(transport);
        await Loopback.SendAllAsync(peer, payload);
        peer.Shutdown(SocketShutdown.Send);
        byte[] echoed = await Loopback.ReadToEndAsync(peer);
        await echo.WaitAsync(Timeout);

        Assert.Equal(payload, echoed);
    }

    private static async Task EchoAsync(SocketTransport transport)
    {
        await transport.Input.CopyToAsync(transport.Output);
        await transport.Output.CompleteAsync();
    }

    /// <summary>
    /// Starts a send the peer does not read: <see cref="BlockedSendLength"/> bytes through a fixed, small send buffer
    /// (unfixed, the kernel grows it to megabytes). Returns once the peer's window is closed: the send waits, and
    /// the kernel has no more write-readiness events to give it.
    /// </summary>
    /// <remarks>
    /// NOTE: the peer's receive buffer stays as it is. Shrinking it after the handshake makes loopback TCP drop
    /// segments the window already allowed, and retransmit backoff then stalls the later drain for seconds (2 MiB
    /// did not arrive within 10 s, with the runtime's engine as with this one). Unread, it queues about 128 KiB.
    /// </remarks>
    private static async Task<Task> StartBlockedSendAsync(EpollSocketChannel channel, SocketSender sender, CancellationToken cancellationToken)
    {
        channel.Socket.SendBufferSize = 4096;
        byte[] data = new byte[BlockedSendLength];
        data.AsSpan().Fill(BlockedSendByte);
        Task send = sender.SendAsync(data, cancellationToken).AsTask();
        await Loopback.WaitUntilAsync(() => SendWindow(channel.Socket) == 0, "the unread peer closes its receive window");
        Assert.False(send.IsCompleted, "16 MiB cannot fit in the socket buffers while the peer does not read");
        return send;
    }

    private static async Task AssertSendFailsAsync(Task send, string cause)
    {
        Exception? error = await Record.ExceptionAsync(() => send.WaitAsync(Timeout));
        Assert.True(
            error is SocketException or ObjectDisposedException or IOException,
            $"{cause} must fail the blocked send (got {error?.GetType().Name ?? "success"}: {error?.Message})");
    }

    /// <summary><c>tcpi_snd_wnd</c> of <c>struct tcp_info</c>: the window the peer last advertised.</summary>
    private static uint SendWindow(Socket socket)
    {
        byte[] info = new byte[TcpInfoLength];
        int length = socket.GetRawSocketOption(IpProtoTcp, TcpInfo, info);
        Assert.True(length >= SendWindowOffset + 4, $"TCP_INFO too short ({length} bytes) for tcpi_snd_wnd");
        return BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(SendWindowOffset));
    }

    /// <summary><c>tcpi_state</c> of <c>struct tcp_info</c>.</summary>
    private static byte TcpState(Socket socket)
    {
        byte[] info = new byte[TcpInfoLength];
        Assert.True(socket.GetRawSocketOption(IpProtoTcp, TcpInfo, info) > 0, "TCP_INFO returned nothing");
        return info[0];
    }
}
