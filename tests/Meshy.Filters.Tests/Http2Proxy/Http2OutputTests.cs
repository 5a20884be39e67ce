using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Meshy.Filters.Http2.Frames;
using Meshy.Filters.Tests.HttpProxy;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http2Proxy;

/// <summary>How responses leave for the client: as few sends as the frames allow.</summary>
public sealed class Http2OutputTests
{
    [LinuxFact("counts segments with TCP_INFO")]
    public async Task Http2_SmallResponseReceivedWhole_HeadAndBodyLeaveInOneSegment()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.RespondAsync(200, "small"u8.ToArray(), cancellationToken);     // head and body in one send
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();
        await connection.SendGetAsync(1);
        Assert.Equal("small", Encoding.ASCII.GetString((await connection.ReadResponseAsync(1)).Body));

        uint before = DataSegmentsIn(connection.Socket);
        await connection.SendGetAsync(3);
        RawHttp2Response response = await connection.ReadResponseAsync(3);
        uint after = DataSegmentsIn(connection.Socket);

        Assert.Equal(200, response.Status);
        Assert.Equal("small", Encoding.ASCII.GetString(response.Body));
        // One gathered send of HEADERS + DATA(END_STREAM) is one loopback segment; a send per frame is two.
        Assert.Equal(1u, after - before);
    }

    [LinuxFact("counts segments with TCP_INFO")]
    public async Task Http2_ManyResponsesReadyAtOnce_ShareSendsInsteadOfOneSegmentEach()
    {
        const int Streams = 20;
        const int Rounds = 3;
        TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            if (request.Head.Target != "/warm")
            {
                await Volatile.Read(ref gate).Task.WaitAsync(cancellationToken);
            }
            await request.RespondAsync(200, "small"u8.ToArray(), cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();
        await connection.SendGetAsync(1, "/warm");
        await connection.ReadResponseAsync(1);

        // Answers that reach the proxy in one turn leave in one gathered send: one segment here, a few on a
        // busy machine. Sent stream by stream they arrive as about 14 segments (the kernel merges some on its
        // own). How close together the 20 upstream answers arrive is up to the scheduler (each comes on its
        // own connection), so a loaded machine gets up to three rounds to show the sharing.
        var segments = new List<uint>();
        int nextStream = 3;
        for (int round = 0; round < Rounds; round++)
        {
            uint before = DataSegmentsIn(connection.Socket);
            for (int i = 0; i < Streams; i++)
            {
                await connection.SendGetAsync(nextStream + (2 * i), $"/{round}/{i}");
            }
            await Loopback.WaitUntilAsync(() => upstream.Requests.Count == ((round + 1) * Streams) + 1, "every request reached the upstream");
            TaskCompletionSource released = gate;
            Volatile.Write(ref gate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            released.SetResult();
            var ended = new HashSet<int>();
            while (ended.Count < Streams)
            {
                RawFrame frame = await connection.ReadFrameAsync();
                if (frame.Type is Http2FrameType.Headers or Http2FrameType.Data && frame.Has(Http2FrameFlags.EndStream))
                {
                    Assert.True(ended.Add(frame.StreamId), $"stream {frame.StreamId} ended twice");
                }
            }
            segments.Add(DataSegmentsIn(connection.Socket) - before);
            nextStream += 2 * Streams;
            if (segments[^1] <= Streams / 4)
            {
                break;
            }
        }

        Assert.True(segments.Min() is >= 1 and <= Streams / 4, $"segments per round of {Streams} answers: {string.Join(", ", segments)}");
    }

    /// <summary><c>tcpi_data_segs_in</c> of <c>struct tcp_info</c> (linux/tcp.h): segments that carried data.</summary>
    private static uint DataSegmentsIn(Socket socket)
    {
        const int IpProtoTcp = 6;
        const int TcpInfo = 11;
        const int DataSegsInOffset = 152;
        byte[] info = new byte[256];
        int length = socket.GetRawSocketOption(IpProtoTcp, TcpInfo, info);
        Assert.True(length >= DataSegsInOffset + 4, $"TCP_INFO too short ({length} bytes) for tcpi_data_segs_in");
        return BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(DataSegsInOffset));
    }
}
