using System.Buffers;
using System.Text;
using Meshy.Engine.Http;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Client;
using Meshy.Filters.Http2.Frames;
using Meshy.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshy.Filters.Tests.Http2Upstream;

/// <summary><see cref="Http2ClientConnection"/> against a scripted raw-socket HTTP/2 peer, frames in and frames out.</summary>
public sealed class Http2ClientConnectionTests
{
    [Fact]
    public async Task Start_PeerSettings_AcknowledgedAndGetAnswered()
    {
        await using var peer = new ScriptedH2Peer();
        (Http2ClientConnection client, ScriptedH2Peer.PeerConnection server) = await ConnectAsync(peer);
        using (client)
        using (server)
        {
            Assert.Equal(0u, server.ClientSettings.EnablePush ? 1u : 0u);
            Assert.Equal(Http2ClientConnection.StreamReceiveWindow, server.ClientSettings.InitialWindowSize);
            ScriptedH2Peer.PeerFrame ack = await server.ReadFrameAsync(Http2FrameType.Settings);
            Assert.True(ack.Header.HasFlag(Http2FrameFlags.Ack));

            Http2ClientStream stream = client.CreateStream();
            using HttpRequestHead request = Get("/a", "x=1");
            request.Headers.Add("x-custom"u8, "yes"u8);
            request.Headers.Add("Connection"u8, "keep-alive"u8);        // connection-specific: never sent (§8.2.2)
            request.AcceptsTrailers = true;
            await stream.SendRequestHeadAsync(request);

            var (streamId, fields, endStream) = await server.ReadHeadersAsync();
            Assert.Equal(1, streamId);
            Assert.True(endStream);
            Assert.Equal(
                [(":method", "GET"), (":scheme", "http"), (":authority", "example.com"), (":path", "/a?x=1"), ("te", "trailers"), ("x-custom", "yes")],
                fields);

            await server.SendHeadersAsync(1, endStream: false, (":status", "200"), ("content-length", "2"), ("x-answer", "42"));
            await server.SendDataAsync(1, "hi", endStream: true);
            using var response = new HttpResponseHead();
            Assert.True(await stream.ReadResponseHeadAsync(HttpMethodKind.Get, response));
            Assert.Equal(200, response.StatusCode);
            Assert.Equal(2, response.ContentLength);
            Assert.True(response.HasBody);
            Assert.True(response.Headers.TryGetValue("x-answer"u8, out ReadOnlySpan<byte> answer) && answer.SequenceEqual("42"u8));
            Assert.Equal("hi", await ReadBodyAsync(stream.ResponseBody));
            stream.Release(reusable: true);
        }
    }

    [Fact]
    public async Task Post_BodyLargerThanInitialWindow_StopsAtWindowAndResumesOnWindowUpdate()
    {
        await using var peer = new ScriptedH2Peer();
        (Http2ClientConnection client, ScriptedH2Peer.PeerConnection server) = await ConnectAsync(peer);
        using (client)
        using (server)
        {
            byte[] body = new byte[200_000];
            new Random(1).NextBytes(body);
            Http2ClientStream stream = client.CreateStream();
            using HttpRequestHead request = Post("/upload", body.Length);
            await stream.SendRequestHeadAsync(request);
            Task pump = stream.SendRequestBodyAsync(new ArrayBodySource(body, 64 * 1024)).AsTask();
            await server.ReadHeadersAsync();

            // 1. exactly the initial window (65535) arrives, in frames no larger than the default max frame size
            var received = new MemoryStream();
            while (received.Length < Http2Settings.Default.InitialWindowSize)
            {
                ScriptedH2Peer.PeerFrame data = await server.ReadFrameAsync(Http2FrameType.Data);
                Assert.InRange(data.Payload.Length, 1, Http2Settings.MinMaxFrameSize);
                received.Write(data.Payload);
            }
            Assert.Equal(Http2Settings.Default.InitialWindowSize, received.Length);

            // 2. the client is stalled: a PING is answered next, with no DATA before it
            await server.SendAsync(w => Http2FrameWriter.WritePing(w, 0x0102030405060708, ack: false));
            ScriptedH2Peer.PeerFrame next = await server.ReadFrameAsync();
            while (next.Header.Type is Http2FrameType.Settings or Http2FrameType.WindowUpdate)
            {
                next = await server.ReadFrameAsync();
            }
            Assert.Equal(Http2FrameType.Ping, next.Header.Type);
            Assert.True(next.Header.HasFlag(Http2FrameFlags.Ack));
            Assert.False(pump.IsCompleted);

            // 3. window updates for the stream and the connection let the rest through
            await server.SendAsync(w =>
            {
                Http2FrameWriter.WriteWindowUpdate(w, 0, body.Length);
                Http2FrameWriter.WriteWindowUpdate(w, 1, body.Length);
            });
            while (true)
            {
                ScriptedH2Peer.PeerFrame data = await server.ReadFrameAsync(Http2FrameType.Data);
                received.Write(data.Payload);
                if (data.Header.HasFlag(Http2FrameFlags.EndStream))
                {
                    break;
                }
            }
            await pump;
            Assert.Equal(body, received.ToArray());
            Assert.True(stream.RequestSent);
            stream.Abort();
        }
    }

    [Fact]
    public async Task Response_WithTrailers_BodyEndsAndTrailersKept()
    {
        await using var peer = new ScriptedH2Peer();
        (Http2ClientConnection client, ScriptedH2Peer.PeerConnection server) = await ConnectAsync(peer);
        using (client)
        using (server)
        {
            Http2ClientStream stream = client.CreateStream();
            using HttpRequestHead request = Get("/grpc", query: null);
            await stream.SendRequestHeadAsync(request);
            await server.ReadHeadersAsync();
            await server.SendHeadersAsync(1, endStream: false, (":status", "200"));
            await server.SendDataAsync(1, "payload", endStream: false);
            await server.SendHeadersAsync(1, endStream: true, ("grpc-status", "0"), ("grpc-message", "ok"));

            using var response = new HttpResponseHead();
            Assert.True(await stream.ReadResponseHeadAsync(HttpMethodKind.Get, response));
            Assert.Equal(-1, response.ContentLength);
            Assert.Equal("payload", await ReadBodyAsync(stream.ResponseBody));
            HttpHeaderList trailers = stream.ResponseBody.Trailers!;
            Assert.Equal("0", trailers.GetValueString(trailers.IndexOf("grpc-status"u8)));
            Assert.Equal("ok", trailers.GetValueString(trailers.IndexOf("grpc-message"u8)));
            stream.Release(reusable: true);
        }
    }

    [Theory]
    [InlineData((uint)Http2ErrorCode.RefusedStream, true)]
    [InlineData((uint)Http2ErrorCode.InternalError, false)]
    public async Task RstStream_BeforeHead_HeadReadFailsAsResetAndRefusedIsUnprocessed(uint errorCode, bool unprocessed)
    {
        var code = (Http2ErrorCode)errorCode;
        await using var peer = new ScriptedH2Peer();
        (Http2ClientConnection client, ScriptedH2Peer.PeerConnection server) = await ConnectAsync(peer);
        using (client)
        using (server)
        {
            Http2ClientStream stream = client.CreateStream();
            using HttpRequestHead request = Get("/", query: null);
            await stream.SendRequestHeadAsync(request);
            await server.ReadHeadersAsync();
            await server.SendAsync(w => Http2FrameWriter.WriteRstStream(w, 1, code));

            using var response = new HttpResponseHead();
            Http2StreamResetException reset = await Assert.ThrowsAsync<Http2StreamResetException>(
                () => stream.ReadResponseHeadAsync(HttpMethodKind.Get, response).AsTask());
            Assert.Equal(code, reset.Code);
            Assert.Equal(unprocessed, stream.Unprocessed);
            stream.Release(reusable: false);
        }
    }

    [Fact]
    public async Task GoAway_StreamAboveLastStreamId_FailsUnprocessedAndConnectionClosesAfterLastStream()
    {
        await using var peer = new ScriptedH2Peer();
        (Http2ClientConnection client, ScriptedH2Peer.PeerConnection server) = await ConnectAsync(peer);
        using (client)
        using (server)
        {
            Http2ClientStream first = client.CreateStream();
            Http2ClientStream second = client.CreateStream();
            using HttpRequestHead request = Get("/", query: null);
            await first.SendRequestHeadAsync(request);
            await second.SendRequestHeadAsync(request);
            Assert.Equal(1, (await server.ReadHeadersAsync()).StreamId);
            Assert.Equal(3, (await server.ReadHeadersAsync()).StreamId);

            await server.SendAsync(w => Http2FrameWriter.WriteGoAway(w, 1, Http2ErrorCode.NoError, default));
            using var response = new HttpResponseHead();
            await Assert.ThrowsAsync<Http2StreamResetException>(() => second.ReadResponseHeadAsync(HttpMethodKind.Get, response).AsTask());
            Assert.True(second.Unprocessed);
            Assert.True(client.IsDraining);

            // no new stream on a draining connection: the request is refused locally, unsent
            Http2ClientStream third = client.CreateStream();
            await Assert.ThrowsAsync<Http2StreamResetException>(() => third.SendRequestHeadAsync(request).AsTask());
            Assert.True(third.Unprocessed);

            // the processed stream still completes
            await server.SendHeadersAsync(1, endStream: true, (":status", "204"));
            Assert.True(await first.ReadResponseHeadAsync(HttpMethodKind.Get, response));
            Assert.Equal(204, response.StatusCode);
            Assert.False(response.HasBody);
        }
    }

    [Fact]
    public async Task ConnectionClosedByPeer_BeforeHead_HeadReadReturnsFalse()
    {
        await using var peer = new ScriptedH2Peer();
        (Http2ClientConnection client, ScriptedH2Peer.PeerConnection server) = await ConnectAsync(peer);
        using (client)
        {
            Http2ClientStream stream = client.CreateStream();
            using HttpRequestHead request = Get("/", query: null);
            await stream.SendRequestHeadAsync(request);
            await server.ReadHeadersAsync();
            server.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Both);
            server.Dispose();

            using var response = new HttpResponseHead();
            Assert.False(await stream.ReadResponseHeadAsync(HttpMethodKind.Get, response));
            await Loopback.WaitUntilAsync(() => client.IsClosed, "the connection is closed");
        }
    }

    [Fact]
    public async Task MalformedResponseHead_NoStatus_FailsWithProtocolError()
    {
        await using var peer = new ScriptedH2Peer();
        (Http2ClientConnection client, ScriptedH2Peer.PeerConnection server) = await ConnectAsync(peer);
        using (client)
        using (server)
        {
            Http2ClientStream stream = client.CreateStream();
            using HttpRequestHead request = Get("/", query: null);
            await stream.SendRequestHeadAsync(request);
            await server.ReadHeadersAsync();
            await server.SendHeadersAsync(1, endStream: true, ("x-no-status", "1"));

            using var response = new HttpResponseHead();
            await Assert.ThrowsAsync<Http2ProtocolException>(() => stream.ReadResponseHeadAsync(HttpMethodKind.Get, response).AsTask());
            ScriptedH2Peer.PeerFrame reset = await server.ReadFrameAsync(Http2FrameType.RstStream);
            Assert.Equal(1, reset.Header.StreamId);
        }
    }

    [Fact]
    public async Task ResponseData_UnreadStreamAtFullWindow_OtherStreamFlowsAndWindowReturnsAsConsumed()
    {
        await using var peer = new ScriptedH2Peer();
        (Http2ClientConnection client, ScriptedH2Peer.PeerConnection server) = await ConnectAsync(peer);
        using (client)
        using (server)
        {
            Http2ClientStream slow = client.CreateStream();
            Http2ClientStream fast = client.CreateStream();
            using HttpRequestHead request = Get("/", query: null);
            await slow.SendRequestHeadAsync(request);
            await fast.SendRequestHeadAsync(request);
            await server.ReadHeadersAsync();
            await server.ReadHeadersAsync();

            // 1. the slow stream's whole window (1 MiB) arrives and nobody reads it
            await server.SendHeadersAsync(1, endStream: false, (":status", "200"));
            string slice = new('s', Http2Settings.MinMaxFrameSize);
            for (int sent = 0; sent < Http2ClientConnection.StreamReceiveWindow; sent += slice.Length)
            {
                await server.SendDataAsync(1, slice, endStream: false);
            }
            // 2. the other stream on the same connection still gets through
            await server.SendHeadersAsync(3, endStream: false, (":status", "200"));
            await server.SendDataAsync(3, "fast", endStream: true);
            using var response = new HttpResponseHead();
            Assert.True(await fast.ReadResponseHeadAsync(HttpMethodKind.Get, response));
            Assert.Equal("fast", await ReadBodyAsync(fast.ResponseBody));
            fast.Release(reusable: true);

            // 3. as the slow stream's consumer takes its bytes, its window comes back in WINDOW_UPDATEs
            Assert.True(await slow.ReadResponseHeadAsync(HttpMethodKind.Get, response));
            long consumed = 0;
            while (consumed < Http2ClientConnection.StreamReceiveWindow)
            {
                HttpBodyChunk chunk = await slow.ResponseBody.ReadAsync(CancellationToken.None);
                consumed += chunk.Data.Length;
                slow.ResponseBody.Advance();
            }
            long credited = 0;
            while (credited < Http2ClientConnection.StreamReceiveWindow / 2)
            {
                ScriptedH2Peer.PeerFrame update = await server.ReadFrameAsync(Http2FrameType.WindowUpdate);
                if (update.Header.StreamId == 1)
                {
                    credited += System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(update.Payload);
                }
            }
            Assert.InRange(credited, Http2ClientConnection.StreamReceiveWindow / 2, Http2ClientConnection.StreamReceiveWindow);
            slow.Abort();
        }
    }

    [Fact]
    public async Task Release_StreamEndedCleanly_NextStreamReusesItWithNothingOfThePreviousRequest()
    {
        await using var peer = new ScriptedH2Peer();
        (Http2ClientConnection client, ScriptedH2Peer.PeerConnection server) = await ConnectAsync(peer);
        using (client)
        using (server)
        {
            // 1. a request whose response has a field, a body and trailers, read whole and released
            Http2ClientStream first = client.CreateStream();
            using HttpRequestHead one = Get("/one", query: null);
            await first.SendRequestHeadAsync(one);
            Assert.Equal(1, (await server.ReadHeadersAsync()).StreamId);
            await server.SendHeadersAsync(1, endStream: false, (":status", "201"), ("x-first", "1"));
            await server.SendDataAsync(1, "first body", endStream: false);
            await server.SendHeadersAsync(1, endStream: true, ("x-first-trailer", "1"));
            using var response = new HttpResponseHead();
            Assert.True(await first.ReadResponseHeadAsync(HttpMethodKind.Get, response));
            Assert.Equal("first body", await ReadBodyAsync(first.ResponseBody));
            Assert.NotNull(first.ResponseBody.Trailers);
            first.Release(reusable: true);
            await CycleReadLoopAsync(server);

            // 2. the next stream is the same object, with a new id and none of the first request's state
            Http2ClientStream second = client.CreateStream();
            Assert.Same(first, second);
            Assert.Equal(0, second.Id);
            Assert.False(second.RequestSent);
            Assert.False(second.ResponseStarted);
            Assert.False(second.ResponseBody.IsCompleted);
            using HttpRequestHead two = Get("/two", query: null);
            await second.SendRequestHeadAsync(two);
            var (secondId, fields, _) = await server.ReadHeadersAsync();
            Assert.Equal(3, secondId);
            Assert.Contains((":path", "/two"), fields);

            // 3. its HEADERS are its response head (not trailers of the first), its DATA its body
            await server.SendHeadersAsync(3, endStream: false, (":status", "200"), ("x-second", "2"));
            await server.SendDataAsync(3, "second", endStream: true);
            Assert.True(await second.ReadResponseHeadAsync(HttpMethodKind.Get, response));
            Assert.Equal(200, response.StatusCode);
            Assert.False(response.Headers.TryGetValue("x-first"u8, out _));
            Assert.True(response.Headers.TryGetValue("x-second"u8, out ReadOnlySpan<byte> value) && value.SequenceEqual("2"u8));
            Assert.Equal("second", await ReadBodyAsync(second.ResponseBody));
            Assert.Null(second.ResponseBody.Trailers);
            second.Release(reusable: true);
        }
    }

    [Fact]
    public async Task Release_MoreEndedStreamsThanThePeerLimitAwaitingRecycling_AllReused()
    {
        // Ended streams wait for the read loop's pause before reuse while new ones start, so a connection holding
        // the peer's limit in flight also holds a batch of ended ones: up to twice the limit are kept.
        await using var peer = new ScriptedH2Peer();
        (Http2ClientConnection client, ScriptedH2Peer.PeerConnection server) =
            await ConnectAsync(peer, new Http2Setting(Http2SettingId.MaxConcurrentStreams, 100));
        using (client)
        using (server)
        {
            await CycleReadLoopAsync(server);
            var ended = new List<Http2ClientStream>();
            for (int wave = 0; wave < 2; wave++)
            {
                // 75 at a time, within the limit; none released until all 150 ended
                var streams = new List<Http2ClientStream>();
                for (int i = 0; i < 75; i++)
                {
                    Http2ClientStream stream = client.CreateStream();
                    using HttpRequestHead request = Get("/" + i, query: null);
                    await stream.SendRequestHeadAsync(request);
                    streams.Add(stream);
                }
                foreach (Http2ClientStream stream in streams)
                {
                    int id = (await server.ReadHeadersAsync()).StreamId;
                    await server.SendHeadersAsync(id, endStream: true, (":status", "204"));
                }
                foreach (Http2ClientStream stream in streams)
                {
                    using var response = new HttpResponseHead();
                    Assert.True(await stream.ReadResponseHeadAsync(HttpMethodKind.Get, response));
                }
                ended.AddRange(streams);
            }
            foreach (Http2ClientStream stream in ended)
            {
                stream.Release(reusable: true);
            }
            await CycleReadLoopAsync(server);

            var reused = new HashSet<Http2ClientStream>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < ended.Count; i++)
            {
                reused.Add(client.CreateStream());
            }
            Assert.True(reused.SetEquals(ended), $"{reused.Count(s => !ended.Contains(s))} of {ended.Count} streams built anew");
        }
    }

    [Fact]
    public async Task Release_HeadEndedTheStream_ReusedWithoutItsEmptyBodyBeingRead()
    {
        await using var peer = new ScriptedH2Peer();
        (Http2ClientConnection client, ScriptedH2Peer.PeerConnection server) = await ConnectAsync(peer);
        using (client)
        using (server)
        {
            // A 204 ends the stream with its head: the router never reads a body it does not have.
            Http2ClientStream first = client.CreateStream();
            using HttpRequestHead request = Get("/", query: null);
            await first.SendRequestHeadAsync(request);
            Assert.Equal(1, (await server.ReadHeadersAsync()).StreamId);
            await server.SendHeadersAsync(1, endStream: true, (":status", "204"));
            using var response = new HttpResponseHead();
            Assert.True(await first.ReadResponseHeadAsync(HttpMethodKind.Get, response));
            Assert.False(response.HasBody);
            first.Release(reusable: true);
            await CycleReadLoopAsync(server);

            Http2ClientStream second = client.CreateStream();
            Assert.Same(first, second);
            await second.SendRequestHeadAsync(request);
            Assert.Equal(3, (await server.ReadHeadersAsync()).StreamId);
            await server.SendHeadersAsync(3, endStream: false, (":status", "200"));
            await server.SendDataAsync(3, "body", endStream: true);
            Assert.True(await second.ReadResponseHeadAsync(HttpMethodKind.Get, response));
            Assert.True(response.HasBody);
            Assert.Equal("body", await ReadBodyAsync(second.ResponseBody));
            second.Release(reusable: true);
        }
    }

    [Fact]
    public async Task Release_StreamAbortedOrResetByPeer_NeverReused()
    {
        await using var peer = new ScriptedH2Peer();
        (Http2ClientConnection client, ScriptedH2Peer.PeerConnection server) = await ConnectAsync(peer);
        using (client)
        using (server)
        {
            using HttpRequestHead request = Get("/", query: null);
            // 1. aborted by the proxy (client gone, timeout) before its response
            Http2ClientStream aborted = client.CreateStream();
            await aborted.SendRequestHeadAsync(request);
            Assert.Equal(1, (await server.ReadHeadersAsync()).StreamId);
            aborted.Abort();
            aborted.Release(reusable: false);
            // 2. reset by the peer, even when its holder would reuse it
            Http2ClientStream reset = client.CreateStream();
            Assert.NotSame(aborted, reset);
            await reset.SendRequestHeadAsync(request);
            Assert.Equal(3, (await server.ReadHeadersAsync()).StreamId);
            await server.SendAsync(w => Http2FrameWriter.WriteRstStream(w, 3, Http2ErrorCode.InternalError));
            using var response = new HttpResponseHead();
            await Assert.ThrowsAsync<Http2StreamResetException>(() => reset.ReadResponseHeadAsync(HttpMethodKind.Get, response).AsTask());
            reset.Release(reusable: true);
            // 3. a response released before its end (body unread)
            Http2ClientStream unread = client.CreateStream();
            Assert.NotSame(reset, unread);
            await unread.SendRequestHeadAsync(request);
            Assert.Equal(5, (await server.ReadHeadersAsync()).StreamId);
            await server.SendHeadersAsync(5, endStream: false, (":status", "200"));
            await server.SendDataAsync(5, "never read", endStream: true);
            Assert.True(await unread.ReadResponseHeadAsync(HttpMethodKind.Get, response));
            unread.Release(reusable: true);
            await CycleReadLoopAsync(server);

            Http2ClientStream next = client.CreateStream();
            Assert.NotSame(aborted, next);
            Assert.NotSame(reset, next);
            Assert.NotSame(unread, next);
        }
    }

    /// <summary>
    /// Two PINGs, each sent once the previous one's ACK came back: the second is read in a later pass of the
    /// read loop, so the pass before it (and its recycling of released streams) is over.
    /// </summary>
    private static async Task CycleReadLoopAsync(ScriptedH2Peer.PeerConnection server)
    {
        for (ulong ping = 1; ping <= 2; ping++)
        {
            ulong data = ping;
            await server.SendAsync(w => Http2FrameWriter.WritePing(w, data, ack: false));
            while (true)
            {
                ScriptedH2Peer.PeerFrame frame = await server.ReadFrameAsync(Http2FrameType.Ping);
                if (frame.Header.HasFlag(Http2FrameFlags.Ack) && System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(frame.Payload) == data)
                {
                    break;
                }
            }
        }
    }

    internal static async Task<(Http2ClientConnection Client, ScriptedH2Peer.PeerConnection Server)> ConnectAsync(ScriptedH2Peer peer, params Http2Setting[] settings)
    {
        var connector = new UpstreamConnector(PipeOptionsFactory.Default);
        EndpointSnapshot endpoint = TestSnapshots.Endpoint("backend", peer.EndPoint);
        UpstreamConnectResult connected = await connector.ConnectAsync(endpoint, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.True(connected.Succeeded);
        var client = new Http2ClientConnection(connected.Connection, NullLogger.Instance);
        Task<ScriptedH2Peer.PeerConnection> accept = peer.AcceptAsync(settings);
        Assert.True(await client.StartAsync(TimeSpan.FromSeconds(5), CancellationToken.None));
        return (client, await accept);
    }

    internal static HttpRequestHead Get(string path, string? query)
    {
        var request = new HttpRequestHead();
        request.SetMethod(HttpMethodKind.Get, "GET"u8);
        request.SetAuthority("example.com"u8);
        request.SetPath(Encoding.ASCII.GetBytes(path));
        if (query is not null)
        {
            request.SetQuery(Encoding.ASCII.GetBytes(query));
        }
        request.ContentLength = 0;
        return request;
    }

    private static HttpRequestHead Post(string path, long length)
    {
        var request = new HttpRequestHead();
        request.SetMethod(HttpMethodKind.Post, "POST"u8);
        request.SetAuthority("example.com"u8);
        request.SetPath(Encoding.ASCII.GetBytes(path));
        request.HasBody = true;
        request.ContentLength = length;
        return request;
    }

    private static async Task<string> ReadBodyAsync(IHttpBodySource body)
    {
        var text = new StringBuilder();
        while (true)
        {
            HttpBodyChunk chunk = await body.ReadAsync(CancellationToken.None);
            text.Append(Encoding.ASCII.GetString(chunk.Data.ToArray()));
            body.Advance();
            if (chunk.IsEnd)
            {
                return text.ToString();
            }
        }
    }

    /// <summary>A request body served from an array in slices of <paramref name="slice"/> bytes.</summary>
    private sealed class ArrayBodySource(byte[] body, int slice) : IHttpBodySource
    {
        private int _offset;
        private int _last;

        public bool IsCompleted => _offset == body.Length;

        public HttpHeaderList? Trailers => null;

        public ValueTask<HttpBodyChunk> ReadAsync(CancellationToken cancellationToken)
        {
            _last = Math.Min(slice, body.Length - _offset);
            bool end = _offset + _last == body.Length;
            return new(new HttpBodyChunk(new ReadOnlySequence<byte>(body, _offset, _last), end));
        }

        public void Advance() => _offset += _last;
    }
}
