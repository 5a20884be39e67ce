using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Meshy.Filters.Tests.HttpProxy;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http2Upstream;

/// <summary>
/// Many requests at once over one h2c upstream connection to a real Kestrel backend: every answer must be its
/// own request's, whatever else happens on the connection. Guards the client connection's stream reuse (a
/// stream that ended is recycled for a later request) and its HEADERS queue (HPACK blocks and stream ids
/// encoded in wire order, flushed once per turn or ahead of a DATA sender).
/// </summary>
public sealed class Http2UpstreamMultiplexingTests
{
    /// <summary>How long a whole batch of requests may take; a hang fails the test instead of stalling the run.</summary>
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(8);

    private static string Config(IPEndPoint backend) => $$"""
        [[listeners]]
        name = "web"
        address = "127.0.0.1:0"
        protocol = "http"
        routes = "web"

        [[routes]]
        name = "web"
        hosts = ["*"]

          [[routes.rules]]
          name = "timed"
          match.path.prefix = "/timed/"
          timeout = "300ms"
          to = [{ cluster = "backend" }]

          [[routes.rules]]
          name = "default"
          match.path.prefix = "/"
          to = [{ cluster = "backend" }]

        [[clusters]]
        name = "backend"
        connect_timeout = "1s"
        protocol = "http2"
        endpoints = [{{HttpProxyConfigs.Endpoints(backend)}}]
        limits = { max_connections = 1, max_pending_requests = 1024, max_requests = 1024 }
        """;

    [Fact]
    public async Task Http2Upstream_1200RequestsWith64InFlightOnOneConnection_EachResponseIsItsOwnRequests()
    {
        await using KestrelH2Backend backend = await KestrelH2Backend.StartAsync();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint));
        using HttpClient http1 = proxy.CreateClient(maxConnections: 32);
        using HttpClient http2 = CreateHttp2Client(proxy);
        var mismatches = new ConcurrentQueue<string>();

        await RunEchoAsync(http1, http2, first: 0, count: 1200, inFlight: 64, mismatches);

        Assert.True(mismatches.IsEmpty, $"{mismatches.Count} wrong answer(s), e.g.:\n{string.Join('\n', mismatches.Take(5))}");
        Assert.Equal(1, backend.Connections);
    }

    [Fact]
    public async Task Http2Upstream_RequestsResetMidFlight_OthersAndLaterRequestsOnTheConnectionGetTheirOwnAnswers()
    {
        await using KestrelH2Backend backend = await KestrelH2Backend.StartAsync();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint));
        using HttpClient http1 = proxy.CreateClient(maxConnections: 32);
        using HttpClient http2 = CreateHttp2Client(proxy);
        using HttpClient held1 = proxy.CreateClient(maxConnections: 32);
        using HttpClient held2 = CreateHttp2Client(proxy);
        var mismatches = new ConcurrentQueue<string>();
        await RunEchoAsync(http1, http2, first: 0, count: 1, inFlight: 1, mismatches);

        // 1. streams held open by the backend, each ended from the client side in a different way:
        //    HTTP/1.1 and HTTP/2 clients that give up before the head, with a request body still coming,
        //    and in the middle of a response body whose DATA keeps arriving until the reset
        using var cancel = new CancellationTokenSource();
        var gaveUp = new List<Task>();
        var dripping = new List<Task<HttpResponseMessage>>();
        for (int i = 0; i < 6; i++)
        {
            gaveUp.Add(held1.GetAsync("/hang", cancel.Token));
            gaveUp.Add(held2.GetAsync("/hang", cancel.Token));
        }
        for (int i = 0; i < 4; i++)
        {
            gaveUp.Add(held1.PostAsync("/upload/hang", new NeverEndingContent(), cancel.Token));
            dripping.Add(StartDripAsync(held1));
            dripping.Add(StartDripAsync(held2));
        }
        const int HeldByClients = 24;
        await Loopback.WaitUntilAsync(() => backend.Held == HeldByClients, "every held request reached the backend");
        HttpResponseMessage[] drips = await Task.WhenAll(dripping).WaitAsync(BatchTimeout);
        // 2. and two the proxy itself resets: the route's timeout fires before any head
        Task<HttpResponseMessage>[] timedOut = [http1.GetAsync("/timed/hang"), http2.GetAsync("/timed/hang")];

        // 3. the resets happen while echo requests stream through the same upstream connection
        int echoed = 0;
        Task echo = RunEchoAsync(http1, http2, first: 1, count: 600, inFlight: 48, mismatches, () => Interlocked.Increment(ref echoed));
        await Loopback.WaitUntilAsync(() => Volatile.Read(ref echoed) >= 100, "echo requests are flowing");
        cancel.Cancel();
        foreach (HttpResponseMessage drip in drips)
        {
            drip.Dispose();
        }
        foreach (Task task in gaveUp)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.WaitAsync(BatchTimeout));
        }
        foreach (Task<HttpResponseMessage> timed in timedOut)
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, (await timed.WaitAsync(BatchTimeout)).StatusCode);
        }
        await echo;
        Assert.True(mismatches.IsEmpty, $"{mismatches.Count} wrong answer(s) among the resets, e.g.:\n{string.Join('\n', mismatches.Take(5))}");

        // 4. every one of them was reset upstream (its stream ended, not left open), and the connection
        //    carries on: streams ended cleanly are recycled, the reset ones are not, and none mixes answers
        await Loopback.WaitUntilAsync(() => backend.Reset == HeldByClients + 2 && backend.Held == 0, "the backend saw every held stream reset");
        await RunEchoAsync(http1, http2, first: 601, count: 300, inFlight: 64, mismatches);
        Assert.True(mismatches.IsEmpty, $"{mismatches.Count} wrong answer(s) after the resets, e.g.:\n{string.Join('\n', mismatches.Take(5))}");
        Assert.Equal(1, backend.Connections);
    }

    [Fact]
    public async Task Http2Upstream_PostsWithBodiesAndTrailersAmongGets_EveryBodyArrivesWholeOnOneConnection()
    {
        await using KestrelH2Backend backend = await KestrelH2Backend.StartAsync();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint));
        using HttpClient http1 = proxy.CreateClient(maxConnections: 32);
        using HttpClient http2 = CreateHttp2Client(proxy);
        var mismatches = new ConcurrentQueue<string>();
        var random = new Random(1234);
        var posts = new List<Task>();

        // 1. bodies of every shape: small and 1 MiB with a length, chunked without one, and chunked with a
        //    trailer (raw HTTP/1.1: the trailer goes upstream as a second HEADERS frame, after the DATA)
        for (int i = 0; i < 24; i++)
        {
            posts.Add(PostAndCheckAsync(i % 2 == 0 ? http1 : http2, RandomBody(random, random.Next(0, 3000)), chunked: false, mismatches));
        }
        for (int i = 0; i < 6; i++)
        {
            posts.Add(PostAndCheckAsync(i % 2 == 0 ? http1 : http2, RandomBody(random, 1 << 20), chunked: false, mismatches));
        }
        for (int i = 0; i < 4; i++)
        {
            posts.Add(PostAndCheckAsync(http1, RandomBody(random, 600_000 + i), chunked: true, mismatches));
        }
        int[] trailerBodies = [0, 0, 1, 5, 100, 2000, 16_384, 70_000, 262_144, 262_144 + 7];
        for (int i = 0; i < trailerBodies.Length; i++)
        {
            posts.Add(PostWithTrailerAndCheckAsync(proxy.EndPoint(), RandomBody(random, trailerBodies[i]), $"sum-{i}-{new string('s', i * 13)}", mismatches));
        }
        // 2. bodiless GETs at the same time, whose HEADERS share the queue with the POSTs'
        Task gets = RunEchoAsync(http1, http2, first: 0, count: 400, inFlight: 24, mismatches);

        await Task.WhenAll(posts).WaitAsync(BatchTimeout);
        await gets;
        Assert.True(mismatches.IsEmpty, $"{mismatches.Count} wrong answer(s), e.g.:\n{string.Join('\n', mismatches.Take(5))}");

        // 3. one at a time on the now quiet connection, the trailer sent once the backend has the request:
        //    no other request's send and no response flushes the queued trailer (or HEADERS) for it
        foreach (int length in (int[])[0, 5, 70_000])
        {
            int requests = backend.Requests;
            await PostWithTrailerAndCheckAsync(proxy.EndPoint(), RandomBody(random, length), $"late-{length}", mismatches,
                beforeTrailer: () => Loopback.WaitUntilAsync(() => backend.Requests > requests, "the backend has the request")).WaitAsync(BatchTimeout);
            await EchoAndCheckAsync(http1, 10_000 + length, mismatches).WaitAsync(BatchTimeout);
        }
        Assert.True(mismatches.IsEmpty, $"{mismatches.Count} wrong answer(s) on the quiet connection, e.g.:\n{string.Join('\n', mismatches.Take(5))}");
        // a DATA frame ahead of its stream's HEADERS is a connection error: the backend would have closed it
        Assert.Equal(1, backend.Connections);
    }

    /// <summary>An HTTP/2 (h2c, prior knowledge) client through the proxy: all its requests on one connection.</summary>
    private static HttpClient CreateHttp2Client(HttpProxyHarness proxy) =>
        new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, EnableMultipleHttp2Connections = false })
        {
            BaseAddress = proxy.BaseUri(),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>
    /// Echo requests <paramref name="first"/>.. (count), <paramref name="inFlight"/> at a time, alternating the
    /// HTTP/1.1 and HTTP/2 clients; each answer not its own request's is added to <paramref name="mismatches"/>.
    /// </summary>
    private static async Task RunEchoAsync(HttpClient http1, HttpClient http2, int first, int count, int inFlight,
        ConcurrentQueue<string> mismatches, Action? onEchoed = null)
    {
        int next = first - 1;
        int end = first + count;
        async Task WorkerAsync()
        {
            while (true)
            {
                int i = Interlocked.Increment(ref next);
                if (i >= end)
                {
                    return;
                }
                await EchoAndCheckAsync(i % 2 == 0 ? http1 : http2, i, mismatches);
                onEchoed?.Invoke();
            }
        }
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(WorkerAsync))).WaitAsync(BatchTimeout);
    }

    /// <summary>
    /// Request <paramref name="i"/>: a path and an <c>x-token</c> of its own, lengths varying so the HPACK dynamic
    /// table (4 KiB) evicts a varying number of entries per block (every 97th too large to be indexed, every 89th
    /// large enough to flush most of the table), and an <c>x-group</c> of five values that are found in the table.
    /// </summary>
    private static async Task EchoAndCheckAsync(HttpClient client, int i, ConcurrentQueue<string> mismatches)
    {
        string path = $"/echo/{i}/{new string((char)('a' + (i % 26)), i % 41)}";
        int tokenLength = i % 97 == 0 ? 3300 : i % 89 == 0 ? 2500 : (i * 7) % 97;
        string token = $"{i:x}-{new string('t', tokenLength)}";
        string group = $"g{i % 5}";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("x-token", token);
        request.Headers.Add("x-group", group);
        try
        {
            using HttpResponseMessage response = await client.SendAsync(request);
            string body = await response.Content.ReadAsStringAsync();
            string expected = $"{path}|{token}|{group}";
            if (response.StatusCode != HttpStatusCode.OK || body != expected
                || Single(response, "x-echo-token") != token || Single(response, "x-echo-path") != path)
            {
                mismatches.Enqueue($"#{i} over HTTP/{client.DefaultRequestVersion}: {(int)response.StatusCode} body '{Shorten(body)}', expected '{Shorten(expected)}'");
            }
        }
        catch (HttpRequestException ex)
        {
            mismatches.Enqueue($"#{i} over HTTP/{client.DefaultRequestVersion}: {ex.Message}");
        }
    }

    private static async Task PostAndCheckAsync(HttpClient client, byte[] body, bool chunked, ConcurrentQueue<string> mismatches)
    {
        HttpContent content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
        if (chunked)
        {
            content.Headers.ContentLength = null;       // sent chunked by HttpClient (over HTTP/1.1)
        }
        string expected = $"{body.Length} {Convert.ToHexString(SHA256.HashData(body))}";
        try
        {
            using HttpResponseMessage response = await client.PostAsync("/hash", content);
            string answer = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK || answer != expected)
            {
                mismatches.Enqueue($"POST {body.Length} bytes over HTTP/{client.DefaultRequestVersion}: {(int)response.StatusCode} '{Shorten(answer)}', expected '{expected}'");
            }
        }
        catch (HttpRequestException ex)
        {
            mismatches.Enqueue($"POST {body.Length} bytes over HTTP/{client.DefaultRequestVersion}: {ex.Message}");
        }
    }

    /// <summary>
    /// A chunked HTTP/1.1 POST (16 KiB chunks) ending with an <c>x-sum</c> trailer, on a connection of its own;
    /// the last chunk and the trailer go after <paramref name="beforeTrailer"/> completes, when there is one.
    /// </summary>
    private static async Task PostWithTrailerAndCheckAsync(IPEndPoint proxy, byte[] body, string sum, ConcurrentQueue<string> mismatches,
        Func<Task>? beforeTrailer = null)
    {
        var request = new MemoryStream();
        request.Write(Encoding.ASCII.GetBytes(
            "POST /hash-trailer HTTP/1.1\r\nHost: h2\r\nTransfer-Encoding: chunked\r\nTE: trailers\r\nConnection: close\r\n\r\n"));
        for (int offset = 0; offset < body.Length; offset += 16_384)
        {
            int length = Math.Min(16_384, body.Length - offset);
            request.Write(Encoding.ASCII.GetBytes($"{length:x}\r\n"));
            request.Write(body, offset, length);
            request.Write("\r\n"u8);
        }
        byte[] last = Encoding.ASCII.GetBytes($"0\r\nx-sum: {sum}\r\n\r\n");
        string expected = $"{body.Length} {Convert.ToHexString(SHA256.HashData(body))} x-sum={sum}";
        try
        {
            using Socket socket = await Loopback.ConnectAsync(proxy);
            if (beforeTrailer is not null)
            {
                await Loopback.SendAllAsync(socket, request.ToArray());
                await beforeTrailer();
                await Loopback.SendAllAsync(socket, last);
            }
            else
            {
                request.Write(last);
                await Loopback.SendAllAsync(socket, request.ToArray());
            }
            string response = Encoding.ASCII.GetString(await Loopback.ReadToEndAsync(socket));
            int bodyStart = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (!response.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal) || bodyStart < 0 || response[(bodyStart + 4)..] != expected)
            {
                mismatches.Enqueue($"POST {body.Length} bytes with trailer {sum}: '{Shorten(response)}', expected '{expected}'");
            }
        }
        catch (SocketException ex)
        {
            mismatches.Enqueue($"POST {body.Length} bytes with trailer {sum}: {ex.Message}");
        }
    }

    /// <summary>A <c>/drip</c> request whose first body part arrived (the rest keeps coming until it is disposed).</summary>
    private static async Task<HttpResponseMessage> StartDripAsync(HttpClient client)
    {
        HttpResponseMessage response = await client.GetAsync("/drip", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Stream body = await response.Content.ReadAsStreamAsync();
        byte[] first = new byte["first part;".Length];
        await body.ReadExactlyAsync(first);
        Assert.Equal("first part;", Encoding.ASCII.GetString(first));
        return response;
    }

    private static byte[] RandomBody(Random random, int length)
    {
        byte[] body = new byte[length];
        random.NextBytes(body);
        return body;
    }

    private static string? Single(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? string.Join(",", values) : null;

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "...";

    /// <summary>A request body that sends 1000 bytes, then waits (for the request's cancellation) and never ends.</summary>
    private sealed class NeverEndingContent : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(new byte[1000], cancellationToken);
            await stream.FlushAsync(cancellationToken);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
