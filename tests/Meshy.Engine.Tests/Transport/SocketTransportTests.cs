using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Meshy.Engine.Transport;
using Meshy.Testing;

namespace Meshy.Engine.Tests.Transport;

public sealed class SocketTransportTests
{
    private static readonly TimeSpan Timeout = Loopback.DefaultTimeout;

    /// <summary>A connected pair: the transport wraps the accepted side, the test drives the other.</summary>
    private static async Task<(SocketTransport Transport, Socket Peer)> ConnectAsync(PipeOptionsFactory pipes)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        Socket peer = await Loopback.ConnectAsync((IPEndPoint)listener.LocalEndPoint!);
        Socket accepted = await listener.AcceptAsync();
        accepted.NoDelay = true;
        return (pipes.CreateConnection(accepted), peer);
    }

    private static async Task<byte[]> ReadAsync(PipeReader input, int count)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            ReadResult result = await input.ReadAsync(cts.Token);
            if (result.Buffer.Length >= count)
            {
                byte[] bytes = result.Buffer.Slice(0, count).ToArray();
                input.AdvanceTo(result.Buffer.GetPosition(count));
                return bytes;
            }
            Assert.False(result.IsCompleted, $"the stream ended after {result.Buffer.Length} of {count} bytes");
            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    [Fact]
    public async Task Input_FourMebibytes_ArriveIntactAcrossManyReceives()
    {
        (SocketTransport transport, Socket peer) = await ConnectAsync(PipeOptionsFactory.Default);
        using var _ = transport;
        using var __ = peer;
        byte[] data = RandomNumberGenerator.GetBytes(4 * 1024 * 1024);

        Task send = Loopback.SendAllAsync(peer, data);
        byte[] received = await ReadAsync(transport.Input, data.Length);
        await send;

        Assert.Equal(SHA256.HashData(data), SHA256.HashData(received));
    }

    [Fact]
    public async Task Output_WrittenThenCompleted_PeerGetsBytesThenFinWhileInputStillReceives()
    {
        (SocketTransport transport, Socket peer) = await ConnectAsync(PipeOptionsFactory.Default);
        using var _ = transport;
        using var __ = peer;

        await transport.Output.WriteAsync("response"u8.ToArray());
        await transport.Output.CompleteAsync();

        Assert.Equal("response"u8.ToArray(), await Loopback.ReadToEndAsync(peer));
        // Half-closed: the other direction still works.
        await Loopback.SendAllAsync(peer, "more"u8.ToArray());
        Assert.Equal("more"u8.ToArray(), await ReadAsync(transport.Input, 4));
        await transport.SendLoop.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Input_PeerSendsFin_CompletesAfterTheLastByte()
    {
        (SocketTransport transport, Socket peer) = await ConnectAsync(PipeOptionsFactory.Default);
        using var _ = transport;
        using var __ = peer;

        await Loopback.SendAllAsync(peer, "last"u8.ToArray());
        peer.Shutdown(SocketShutdown.Send);

        using var cts = new CancellationTokenSource(Timeout);
        ReadResult result = await transport.Input.ReadAsync(cts.Token);
        while (!result.IsCompleted)
        {
            transport.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            result = await transport.Input.ReadAsync(cts.Token);
        }
        Assert.Equal("last"u8.ToArray(), result.Buffer.ToArray());
        await transport.ReceiveLoop.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Input_PeerResets_ReadFailsWithIOException()
    {
        (SocketTransport transport, Socket peer) = await ConnectAsync(PipeOptionsFactory.Default);
        using var _ = transport;
        peer.LingerState = new LingerOption(enable: true, seconds: 0);
        peer.Dispose();

        using var cts = new CancellationTokenSource(Timeout);
        await Assert.ThrowsAsync<IOException>(async () =>
        {
            while (true)
            {
                ReadResult result = await transport.Input.ReadAsync(cts.Token);
                Assert.False(result.IsCompleted, "a reset must not look like an orderly end of stream");
                transport.Input.AdvanceTo(result.Buffer.End);
            }
        });
    }

    [Fact]
    public async Task Dispose_WhileReadPending_ReadFailsAndBothLoopsEnd()
    {
        (SocketTransport transport, Socket peer) = await ConnectAsync(PipeOptionsFactory.Default);
        using var __ = peer;
        using var cts = new CancellationTokenSource(Timeout);
        ValueTask<ReadResult> pending = transport.Input.ReadAsync(cts.Token);

        transport.Dispose();

        await Assert.ThrowsAsync<IOException>(async () => await pending);
        await transport.Output.CompleteAsync();
        await Task.WhenAll(transport.ReceiveLoop, transport.SendLoop).WaitAsync(Timeout);
        Assert.Equal(0, await peer.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(Timeout));
    }

    [Fact]
    public async Task IdleConnections_AfterTraffic_HoldNoBuffer()
    {
        // A pool of its own, so only these connections count.
        var pipes = new PipeOptionsFactory(minimumSegmentSize: 8 * 1024);
        var pairs = new List<(SocketTransport Transport, Socket Peer)>();
        try
        {
            for (int i = 0; i < 50; i++)
            {
                (SocketTransport transport, Socket peer) = await ConnectAsync(pipes);
                pairs.Add((transport, peer));
                await Loopback.SendAllAsync(peer, "ping"u8.ToArray());
                Assert.Equal("ping"u8.ToArray(), await ReadAsync(transport.Input, 4));
            }

            // Each receive loop is back in its zero-length wait once its read was consumed.
            await Loopback.WaitUntilAsync(
                () => pipes.Pool.BlocksAllocated - pipes.Pool.BlocksFree == 0,
                $"idle connections to give their buffers back ({pipes.Pool.BlocksAllocated - pipes.Pool.BlocksFree} held)");
            Assert.True(pipes.Pool.BlocksAllocated > 0, "the connections received through the pool");
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
}
