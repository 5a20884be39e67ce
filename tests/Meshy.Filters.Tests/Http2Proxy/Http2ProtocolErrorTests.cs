using System.Buffers.Binary;
using System.Net;
using System.Text;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Frames;
using Meshy.Filters.Tests.HttpProxy;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http2Proxy;

/// <summary>
/// Malformed frames and requests from a raw socket: each gets its RFC 9113 answer (RST_STREAM for a stream
/// error, GOAWAY for a connection error), and the proxy keeps serving.
/// </summary>
public sealed class Http2ProtocolErrorTests
{
    private static readonly (string, string)[] PostHead = [(":method", "POST"), (":scheme", "http"), (":authority", "a"), (":path", "/p")];

    [Fact]
    public async Task Http2_FirstFrameNotSettings_GoAwayProtocolError()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());

        await connection.SendAsync(Http2Preface.ClientBytes.ToArray());
        await connection.SendAsync(RawHttp2Connection.Frame(w => Http2FrameWriter.WritePing(w, 1, ack: false)));

        await Http2Asserts.GoAwayThenOthersServedAsync(connection, Http2ErrorCode.ProtocolError, proxy, upstream);
    }

    [Fact]
    public async Task Http2_FrameLargerThanMaxFrameSize_GoAwayFrameSizeError()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        await connection.SendHeadersAsync(1, endStream: false, PostHead);
        await connection.SendAsync(RawHttp2Connection.RawFrameBytes(Http2FrameType.Data, Http2FrameFlags.None, 1, new byte[Http2Settings.MinMaxFrameSize + 1]));

        RawFrame goAway = await Http2Asserts.GoAwayThenOthersServedAsync(connection, Http2ErrorCode.FrameSizeError, proxy, upstream);
        Assert.Equal(1, goAway.LastStreamId);
    }

    [Theory]
    [InlineData("uppercase name", "X-Upper", "1")]
    [InlineData("connection-specific", "connection", "keep-alive")]
    [InlineData("transfer-encoding", "transfer-encoding", "chunked")]
    [InlineData("te other than trailers", "te", "gzip")]
    [InlineData("pseudo after regular", ":path", "/again")]
    public async Task Http2_MalformedRequest_ResetWithProtocolErrorAndConnectionGoesOn(string why, string name, string value)
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        await connection.SendHeadersAsync(1, endStream: true,
            (":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", "/"), ("accept", "*/*"), (name, value));
        Http2ErrorCode code = await connection.ReadResetAsync(1);
        await connection.SendGetAsync(3, "/after");
        RawHttp2Response after = await connection.ReadResponseAsync(3);

        Assert.True(code == Http2ErrorCode.ProtocolError, why);
        Assert.Equal(200, after.Status);
        Assert.Equal("GET /after len=0", Encoding.ASCII.GetString(after.Body));
        Assert.Single(upstream.Requests);
    }

    [Theory]
    [InlineData("missing :path")]
    [InlineData("duplicate :method")]
    public async Task Http2_BadPseudoHeaders_ResetWithProtocolError(string why)
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        (string, string)[] fields = why == "missing :path"
            ? [(":method", "GET"), (":scheme", "http"), (":authority", "a")]
            : [(":method", "GET"), (":method", "POST"), (":scheme", "http"), (":authority", "a"), (":path", "/")];
        await connection.SendHeadersAsync(1, endStream: true, fields);

        Assert.Equal(Http2ErrorCode.ProtocolError, await connection.ReadResetAsync(1));
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Http2_ContentLengthLargerThanData_ResetWithProtocolError()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        await connection.SendHeadersAsync(1, endStream: false, [.. PostHead, ("content-length", "10")]);
        await connection.SendDataAsync(1, "hello"u8.ToArray(), endStream: true);

        Assert.Equal(Http2ErrorCode.ProtocolError, await connection.ReadResetAsync(1));
    }

    [Fact]
    public async Task Http2_DataAfterEndStream_ResetWithStreamClosed()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await release.Task.WaitAsync(cancellationToken);
            await request.RespondAsync(200, [], cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        await connection.SendGetAsync(1);
        await connection.SendDataAsync(1, "late"u8.ToArray(), endStream: false);

        Assert.Equal(Http2ErrorCode.StreamClosed, await connection.ReadResetAsync(1));
        release.TrySetResult();
    }

    [Fact]
    public async Task Http2_DataBeyondStreamWindow_ResetWithFlowControlError()
    {
        // The upstream's connect hangs (a full accept queue): the body is never read, so no WINDOW_UPDATE comes.
        (System.Net.Sockets.Socket blackhole, IReadOnlyList<System.Net.Sockets.Socket> fillers) = await Loopback.BlackholeAsync();
        try
        {
            await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(
                HttpProxyConfigs.Simple((IPEndPoint)blackhole.LocalEndPoint!).Replace("connect_timeout = \"1s\"", "connect_timeout = \"10s\""));
            await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
            await connection.HandshakeAsync();

            await connection.SendHeadersAsync(1, endStream: false, PostHead);
            for (int i = 0; i < 5; i++)
            {
                await connection.SendDataAsync(1, new byte[Http2Settings.MinMaxFrameSize], endStream: false);     // 80 KiB > 65 535
            }

            Assert.Equal(Http2ErrorCode.FlowControlError, await connection.ReadResetAsync(1));
        }
        finally
        {
            blackhole.Dispose();
            foreach (System.Net.Sockets.Socket filler in fillers)
            {
                filler.Dispose();
            }
        }
    }

    [Fact]
    public async Task Http2_StreamWindowOverflow_ResetWithFlowControlError()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await release.Task.WaitAsync(cancellationToken);
            await request.RespondAsync(200, [], cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        await connection.SendGetAsync(1);
        await connection.SendAsync(RawHttp2Connection.Frame(w => Http2FrameWriter.WriteWindowUpdate(w, 1, int.MaxValue)));

        Assert.Equal(Http2ErrorCode.FlowControlError, await connection.ReadResetAsync(1));
        release.TrySetResult();
        await connection.SendGetAsync(3);
        Assert.Equal(200, (await connection.ReadResponseAsync(3)).Status);
    }

    [Fact]
    public async Task Http2_TooManyHeaderFields_Answers431()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            listenerExtra: "max_header_count = 5"));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        await connection.SendHeadersAsync(1, endStream: true, [(":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", "/"),
            .. Enumerable.Range(0, 10).Select(i => ($"x-f{i}", "v"))]);

        Assert.Equal(431, (await connection.ReadResponseAsync(1)).Status);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Http2_PathBeyondMaxRequestLine_Answers414AndTheNextStreamIsServed()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            listenerExtra: "max_request_line = 256"));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();
        // "GET " + target + " HTTP/1.1": a 243-byte target makes a 256-byte request line, one more is too long.
        string fits = "/" + new string('a', 238) + "?q=1";
        string tooLong = fits + "2";

        await connection.SendGetAsync(1, tooLong);
        RawHttp2Response rejected = await connection.ReadResponseAsync(1);
        await connection.SendGetAsync(3, fits);
        RawHttp2Response served = await connection.ReadResponseAsync(3);

        Assert.Equal(414, rejected.Status);
        Assert.Equal(200, served.Status);
        Assert.Equal($"GET {fits} len=0", Encoding.ASCII.GetString(served.Body));
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task Http2_ConnectionWindowOverflow_GoAwayFlowControlError()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        await connection.SendAsync(RawHttp2Connection.Frame(w => Http2FrameWriter.WriteWindowUpdate(w, 0, int.MaxValue)));

        await Http2Asserts.GoAwayThenOthersServedAsync(connection, Http2ErrorCode.FlowControlError, proxy, upstream);
    }

    [Fact]
    public async Task Http2_EvenStreamId_GoAwayProtocolError()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        await connection.SendGetAsync(2);

        await Http2Asserts.GoAwayThenOthersServedAsync(connection, Http2ErrorCode.ProtocolError, proxy, upstream);
    }

    [Theory]
    [InlineData("indexed field with index 0", new byte[] { 0x80 })]
    [InlineData("index 62: past the 61 static entries, dynamic table empty", new byte[] { 0x80 | 62 })]
    [InlineData("table size update to 4097 > 4096 advertised (31 + 4066 in 7-bit groups)", new byte[] { 0x3f, 0x80 | (4066 & 0x7f), 4066 >> 7 })]
    [InlineData("string literal longer than the block", new byte[] { 0x00, 0x05, (byte)'a' })]
    public async Task Http2_InvalidHpackBlock_GoAwayCompressionError(string why, byte[] block)
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        // RFC 9113 §4.3: a field block that cannot be decoded is a connection error of type COMPRESSION_ERROR.
        await connection.SendAsync(RawHttp2Connection.Frame(w => Http2FrameWriter.WriteHeaders(w, 1, block, true, Http2Settings.MinMaxFrameSize)));

        await Http2Asserts.GoAwayThenOthersServedAsync(connection, Http2ErrorCode.CompressionError, proxy, upstream);
        Assert.True(upstream.Requests.All(r => r.Head.Target == "/still"), why);
    }

    [Fact]
    public async Task Http2_Ping_AnsweredWithSameData()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        await connection.SendAsync(RawHttp2Connection.Frame(w => Http2FrameWriter.WritePing(w, 0x0102030405060708, ack: false)));
        RawFrame pong = await connection.ReadFrameAsync();

        Assert.Equal(Http2FrameType.Ping, pong.Type);
        Assert.True(pong.Has(Http2FrameFlags.Ack));
        Assert.Equal(0x0102030405060708ul, BinaryPrimitives.ReadUInt64BigEndian(pong.Payload));
    }

    [Fact]
    public async Task Http2_Handshake_AdvertisesListenerSettingsAndConnectionWindow()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            listenerExtra: "http2 = { max_concurrent_streams = 7, initial_stream_window = 131072, connection_window = 4194304 }"));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());

        await connection.HandshakeAsync();

        Assert.Equal(7u, connection.ServerSettings.MaxConcurrentStreams);
        Assert.Equal(131072, connection.ServerSettings.InitialWindowSize);
        Assert.Equal(4194304 - 65535, connection.ConnectionWindowIncrement);
        Assert.False(connection.ServerSettings.EnablePush);
    }

    [Fact]
    public async Task Http2_HeaderListTooLarge_Answers431()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            listenerExtra: "max_header_bytes = 8192"));
        await using RawHttp2Connection connection = await RawHttp2Connection.OpenAsync(proxy.EndPoint());
        await connection.HandshakeAsync();

        await connection.SendHeadersAsync(1, endStream: true,
            (":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", "/"), ("x-big", new string('v', 10_000)));
        RawHttp2Response response = await connection.ReadResponseAsync(1);

        Assert.Equal(431, response.Status);
        Assert.Empty(upstream.Requests);
    }
}
