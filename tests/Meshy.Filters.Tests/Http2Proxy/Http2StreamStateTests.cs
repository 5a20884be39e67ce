using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Frames;
using Meshy.Filters.Tests.HttpProxy;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http2Proxy;

/// <summary>RFC 9113 §5.1 stream states as the server enforces them: frames allowed or refused in idle, open, half-closed and closed.</summary>
public sealed class Http2StreamStateTests
{
    [Theory]
    [InlineData((byte)Http2FrameType.Data)]
    [InlineData((byte)Http2FrameType.RstStream)]
    [InlineData((byte)Http2FrameType.WindowUpdate)]
    public async Task Http2_FrameOnIdleStream_GoAwayProtocolError(byte frameType)
    {
        var type = (Http2FrameType)frameType;
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        byte[] payload = type == Http2FrameType.Data ? [1, 2, 3] : [0, 0, 0, 1];
        await connection.SendAsync(RawHttp2Connection.RawFrameBytes(type, Http2FrameFlags.None, 5, payload));

        RawFrame goAway = await Http2Asserts.GoAwayThenOthersServedAsync(connection, Http2ErrorCode.ProtocolError, proxy, upstream);
        Assert.Equal(0, goAway.LastStreamId);
    }

    [Fact]
    public async Task Http2_PriorityOnIdleStream_AcceptedAndIgnored()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        await connection.SendAsync(RawHttp2Connection.Frame(w => Http2FrameWriter.WritePriority(w, 9, new Http2Priority(0, false, 16))));
        await connection.SendGetAsync(1);

        Assert.Equal(200, (await connection.ReadResponseAsync(1)).Status);
    }

    [Fact]
    public async Task Http2_HeadersOnClosedStream_GoAwayStreamClosed()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();
        await connection.SendGetAsync(1);
        Assert.Equal(200, (await connection.ReadResponseAsync(1)).Status);

        await connection.SendGetAsync(1);

        RawFrame goAway = await Http2Asserts.GoAwayThenOthersServedAsync(connection, Http2ErrorCode.StreamClosed, proxy, upstream);
        Assert.Equal(1, goAway.LastStreamId);
    }

    [Fact]
    public async Task Http2_TrailersWithoutEndStream_ResetWithProtocolError()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await release.Task.WaitAsync(cancellationToken);
            return false;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        await connection.SendHeadersAsync(1, endStream: false, (":method", "POST"), (":scheme", "http"), (":authority", "a"), (":path", "/"));
        await connection.SendHeadersAsync(1, endStream: false, ("x-trailer", "1"));

        Assert.Equal(Http2ErrorCode.ProtocolError, await connection.ReadResetAsync(1));
        release.TrySetResult();
    }

    [Fact]
    public async Task Http2_HeadersAfterEndStream_ResetWithStreamClosed()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await release.Task.WaitAsync(cancellationToken);
            return false;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        await connection.SendGetAsync(1);                                         // half-closed (remote)
        await connection.SendHeadersAsync(1, endStream: true, ("x-trailer", "1"));

        Assert.Equal(Http2ErrorCode.StreamClosed, await connection.ReadResetAsync(1));
        release.TrySetResult();
    }
}
