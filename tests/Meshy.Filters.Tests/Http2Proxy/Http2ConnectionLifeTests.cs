using System.Net.Sockets;
using System.Text;
using Meshy.Engine.Runtime;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Frames;
using Meshy.Filters.Tests.HttpProxy;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http2Proxy;

/// <summary>How an HTTP/2 connection starts and ends: the preface on one port with HTTP/1.1, drain, idle, GOAWAY.</summary>
public sealed class Http2ConnectionLifeTests
{
    [Fact]
    public async Task Http2_PrefaceSplitAcrossWrites_IsServedAsHttp2()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());

        await connection.SendAsync("PRI * HT"u8.ToArray());
        await Task.Delay(50);       // a second segment, not a synchronisation
        await connection.SendAsync("TP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        RawFrame settings = await connection.ReadFrameAsync();
        await connection.SendAsync(RawHttp2Connection.Frame(w => Http2FrameWriter.WriteSettings(w, [])));
        await connection.SendGetAsync(1, "/split");
        RawHttp2Response response = await connection.ReadResponseAsync(1);

        Assert.Equal(Http2FrameType.Settings, settings.Type);
        Assert.Equal("GET /split len=0", Encoding.ASCII.GetString(response.Body));
    }

    [Fact]
    public async Task HttpListener_Http1OnSamePort_StillServed()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using HttpClient http1 = proxy.CreateClient();
        using HttpClient http2 = Http2Clients.Create(proxy);

        HttpResponseMessage one = await http1.GetAsync("/one");
        HttpResponseMessage two = await http2.GetAsync("/two");

        Assert.Equal(new Version(1, 1), one.Version);
        Assert.Equal(new Version(2, 0), two.Version);
        Assert.Equal("GET /one len=0", await one.Content.ReadAsStringAsync());
        Assert.Equal("GET /two len=0", await two.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Http2_ListenerDrainsMidRequest_GoAwayThenInFlightFinishesThenClose()
    {
        var requestArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            requestArrived.TrySetResult();
            await release.Task.WaitAsync(cancellationToken);
            await request.RespondAsync(200, "done"u8.ToArray(), cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();
        await connection.SendGetAsync(1, "/in-flight");
        await requestArrived.Task.WaitAsync(Loopback.DefaultTimeout);

        // A reload without the listener: it stops accepting and its connections drain.
        ProxySnapshot current = proxy.Listeners.Holder.Current;
        await proxy.Listeners.ReloadAsync(new ProxySnapshot
        {
            Source = current.Source,
            LoadedAt = DateTimeOffset.UtcNow,
            Runtime = current.Runtime,
            Listeners = [],
            Clusters = current.Clusters,
            ConfigJson = current.ConfigJson,
        });
        RawFrame goAway = await connection.ReadGoAwayAsync();
        await connection.SendGetAsync(3, "/too-late");
        Http2ErrorCode refused = await connection.ReadResetAsync(3);
        release.TrySetResult();
        RawHttp2Response response = await connection.ReadResponseAsync(1);

        Assert.Equal(Http2ErrorCode.NoError, goAway.ErrorCode);
        Assert.Equal(1, goAway.LastStreamId);
        Assert.Equal("done", Encoding.ASCII.GetString(response.Body));
        Assert.Equal(Http2ErrorCode.RefusedStream, refused);
        Assert.True(await Loopback.WaitForCloseAsync(connection.Socket));
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task Http2_IdleConnection_GoAwayNoErrorThenClose()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            listenerExtra: "idle_timeout = \"200ms\""));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();
        await connection.SendGetAsync(1);
        Assert.Equal(200, (await connection.ReadResponseAsync(1)).Status);

        RawFrame goAway = await connection.ReadGoAwayAsync();

        Assert.Equal(Http2ErrorCode.NoError, goAway.ErrorCode);
        Assert.Equal(1, goAway.LastStreamId);
        Assert.True(await Loopback.WaitForCloseAsync(connection.Socket));
    }

    [Fact]
    public async Task Http2_ClientGoAway_InFlightStreamFinishesThenClose()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await release.Task.WaitAsync(cancellationToken);
            await request.RespondAsync(200, "late"u8.ToArray(), cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();
        await connection.SendGetAsync(1);
        await Loopback.WaitUntilAsync(() => upstream.Requests.Count == 1, "the request reached the upstream");

        await connection.SendAsync(RawHttp2Connection.Frame(w => Http2FrameWriter.WriteGoAway(w, 0, Http2ErrorCode.NoError, default)));
        release.TrySetResult();
        RawHttp2Response response = await connection.ReadResponseAsync(1);

        Assert.Equal("late", Encoding.ASCII.GetString(response.Body));
        RawFrame goAway = await connection.ReadGoAwayAsync();
        Assert.Equal(Http2ErrorCode.NoError, goAway.ErrorCode);
        Assert.True(await Loopback.WaitForCloseAsync(connection.Socket));
    }

    [Fact]
    public async Task Http2_ClientResetsStreamMidResponse_UpstreamRequestCancelledAndConnectionGoesOn()
    {
        var upstreamGone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            if (request.Head.Target == "/slow")
            {
                await request.SendAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n", cancellationToken);
                try
                {
                    // The proxy resets this connection once the client cancels.
                    byte[] buffer = new byte[1];
                    int read = await request.Socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                    upstreamGone.TrySetResult();
                }
                catch (SocketException)
                {
                    upstreamGone.TrySetResult();
                }
                return false;
            }
            await request.RespondAsync(200, "fine"u8.ToArray(), cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();
        await connection.SendGetAsync(1, "/slow");
        RawFrame first;
        do
        {
            first = await connection.ReadFrameAsync();
        }
        while (first.Type != Http2FrameType.Data);

        await connection.SendRstStreamAsync(1, Http2ErrorCode.Cancel);
        await upstreamGone.Task.WaitAsync(Loopback.DefaultTimeout);
        await connection.SendGetAsync(3, "/after");
        RawHttp2Response after = await connection.ReadResponseAsync(3);

        Assert.Equal("fine", Encoding.ASCII.GetString(after.Body));
    }
}
