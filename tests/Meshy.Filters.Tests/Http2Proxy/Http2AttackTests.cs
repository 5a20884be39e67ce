using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Frames;
using Meshy.Filters.Tests.HttpProxy;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http2Proxy;

/// <summary>
/// Known HTTP/2 denial-of-service patterns end the offending connection with GOAWAY ENHANCE_YOUR_CALM (or
/// refuse the stream), without unbounded buffering, while other connections keep being served.
/// </summary>
public sealed class Http2AttackTests
{
    [Fact]
    public async Task Http2_RapidReset_GoAwayEnhanceYourCalmAndOthersServed()
    {
        // Requests to /slow wait for one of two upstream connections that never answer: every reset lands
        // on a request in progress. /still goes to another cluster.
        await using FakeHttpUpstream held = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return false;
        });
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync($$"""
            [[listeners]]
            name = "web"
            address = "127.0.0.1:0"
            protocol = "http"
            routes = "web"

            [[routes]]
            name = "web"
              [[routes.rules]]
              name = "slow"
              match.path.exact = "/slow"
              to = [{ cluster = "held" }]
              [[routes.rules]]
              name = "default"
              match.path.prefix = "/"
              to = [{ cluster = "backend" }]

            [[clusters]]
            name = "held"
            endpoints = [{{HttpProxyConfigs.Endpoints(held.EndPoint)}}]
            limits = { max_connections = 2 }

            [[clusters]]
            name = "backend"
            endpoints = [{{HttpProxyConfigs.Endpoints(upstream.EndPoint)}}]
            """);
        await using RawHttp2Connection attacker = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await attacker.HandshakeAsync();

        // CVE-2023-44487: open a stream and reset it at once, over and over.
        var burst = new List<byte>();
        for (int id = 1; id < 2 * 1000; id += 2)
        {
            byte[] block = attacker.EncodeBlock((":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", "/slow"));
            burst.AddRange(RawHttp2Connection.Frame(w => Http2FrameWriter.WriteHeaders(w, id, block, true, Http2Settings.MinMaxFrameSize)));
            burst.AddRange(RawHttp2Connection.Frame(w => Http2FrameWriter.WriteRstStream(w, id, Http2ErrorCode.Cancel)));
        }
        _ = attacker.SendAsync(burst.ToArray());

        RawFrame goAway = await Http2Asserts.GoAwayThenOthersServedAsync(attacker, Http2ErrorCode.EnhanceYourCalm, proxy, upstream);
        Assert.InRange(goAway.LastStreamId, 1, 2 * 1000);
    }

    [Fact]
    public async Task Http2_EndlessContinuation_GoAwayEnhanceYourCalm()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection attacker = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await attacker.HandshakeAsync();

        byte[] block = attacker.EncodeBlock((":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", "/"));
        await attacker.SendAsync(RawHttp2Connection.RawFrameBytes(Http2FrameType.Headers, Http2FrameFlags.EndStream, 1, block));
        var flood = new List<byte>();
        for (int i = 0; i < 1000; i++)
        {
            flood.AddRange(RawHttp2Connection.RawFrameBytes(Http2FrameType.Continuation, Http2FrameFlags.None, 1, [0x40, 0x01, (byte)'x', 0x01, (byte)'y']));
        }
        _ = attacker.SendAsync(flood.ToArray());

        await Http2Asserts.GoAwayThenOthersServedAsync(attacker, Http2ErrorCode.EnhanceYourCalm, proxy, upstream);
    }

    [Fact]
    public async Task Http2_HugeFieldBlockInContinuations_GoAwayBeforeBufferingIt()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            listenerExtra: "max_header_bytes = 8192"));
        await using RawHttp2Connection attacker = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await attacker.HandshakeAsync();

        await attacker.SendAsync(RawHttp2Connection.RawFrameBytes(Http2FrameType.Headers, Http2FrameFlags.EndStream, 1, new byte[16_000]));
        var flood = new List<byte>();
        for (int i = 0; i < 20; i++)
        {
            flood.AddRange(RawHttp2Connection.RawFrameBytes(Http2FrameType.Continuation, Http2FrameFlags.None, 1, new byte[16_000]));
        }
        _ = attacker.SendAsync(flood.ToArray());

        await Http2Asserts.GoAwayThenOthersServedAsync(attacker, Http2ErrorCode.EnhanceYourCalm, proxy, upstream);
    }

    [Fact]
    public async Task Http2_PingFlood_GoAwayEnhanceYourCalm()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection attacker = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await attacker.HandshakeAsync();

        var flood = new List<byte>();
        for (int i = 0; i < 12_000; i++)
        {
            flood.AddRange(RawHttp2Connection.Frame(w => Http2FrameWriter.WritePing(w, (ulong)i, ack: false)));
        }
        _ = attacker.SendAsync(flood.ToArray());

        await Http2Asserts.GoAwayThenOthersServedAsync(attacker, Http2ErrorCode.EnhanceYourCalm, proxy, upstream);
    }

    [Fact]
    public async Task Http2_StreamsBeyondMaxConcurrent_RefusedStream()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            if (request.Head.Target != "/d")
            {
                await release.Task.WaitAsync(cancellationToken);
            }
            await request.RespondAsync(200, [], cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            listenerExtra: "http2 = { max_concurrent_streams = 2 }"));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        await connection.SendGetAsync(1, "/a");
        await connection.SendGetAsync(3, "/b");
        await connection.SendGetAsync(5, "/c");

        Assert.Equal(Http2ErrorCode.RefusedStream, await connection.ReadResetAsync(5));
        release.TrySetResult();
        Assert.Equal(200, (await connection.ReadResponseAsync(1)).Status);
        Assert.Equal(200, (await connection.ReadResponseAsync(3)).Status);
        // Slots free again once those streams are closed.
        await connection.SendGetAsync(7, "/d");
        Assert.Equal(200, (await connection.ReadResponseAsync(7)).Status);
        Assert.DoesNotContain(upstream.Requests, r => r.Head.Target == "/c");
    }
}
