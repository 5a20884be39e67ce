using System.Text;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Frames;
using Meshy.Filters.Tests.HttpProxy;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http2Proxy;

/// <summary>Responses respect the client's windows, and one stalled stream does not hold up the others.</summary>
public sealed class Http2FlowControlTests
{
    [Fact]
    public async Task Http2_StreamStalledOnItsWindow_OtherStreamsCompleteThenItResumes()
    {
        byte[] big = Http2Clients.RandomBytes(100_000, seed: 5);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.RespondAsync(200, request.Head.Target == "/big" ? big : "small"u8.ToArray(), cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        // Stream windows start at 0: nothing may be sent on a stream until the client opens it.
        await connection.HandshakeAsync(new Http2Setting(Http2SettingId.InitialWindowSize, 0));

        await connection.SendGetAsync(1, "/big");
        await connection.SendGetAsync(3, "/small");
        await connection.SendAsync(RawHttp2Connection.Frame(w => Http2FrameWriter.WriteWindowUpdate(w, 3, 1_000)));
        RawHttp2Response small = await connection.ReadResponseAsync(3);

        Assert.Equal("small", Encoding.ASCII.GetString(small.Body));
        // Stream 1 got its head but no byte of body: its window is still 0.
        await connection.SendAsync(RawHttp2Connection.Frame(w => Http2FrameWriter.WriteWindowUpdate(w, 1, 10_000)));
        int received = 0;
        while (received < 10_000)
        {
            RawFrame frame = await connection.ReadFrameAsync();
            if (frame.Type == Http2FrameType.Data && frame.StreamId == 1)
            {
                received += frame.Payload.Length;
                Assert.False(frame.Has(Http2FrameFlags.EndStream));
            }
        }
        Assert.Equal(10_000, received);     // exactly the window, not a byte more
        // Open it wide: the rest arrives (ReadResponseAsync credits every DATA frame it reads).
        await connection.SendAsync(RawHttp2Connection.Frame(w => Http2FrameWriter.WriteWindowUpdate(w, 1, 1_000_000)));
        RawHttp2Response rest = await connection.ReadResponseAsync(1);
        Assert.Equal(big.AsSpan(10_000).ToArray(), rest.Body);
    }

    [Fact]
    public async Task Http2_ClientLowersInitialWindowMidResponse_WindowGoesNegativeAndResponseStillCompletes()
    {
        byte[] big = Http2Clients.RandomBytes(200_000, seed: 6);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.RespondAsync(200, big, cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        await connection.SendGetAsync(1);
        // §6.9.2: a lower SETTINGS_INITIAL_WINDOW_SIZE shrinks open streams' windows, possibly below zero.
        await connection.SendAsync(RawHttp2Connection.Frame(w => Http2FrameWriter.WriteSettings(w, [new Http2Setting(Http2SettingId.InitialWindowSize, 1_000)])));
        RawHttp2Response response = await connection.ReadResponseAsync(1);

        Assert.Equal(200, response.Status);
        Assert.Equal(big, response.Body);
    }
}
