using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Meshy.Testing;

namespace Meshy.Filters.Tests.HttpProxy;

/// <summary>Protocol switches, weighted destinations, Expect: 100-continue and interim responses through the proxy.</summary>
public sealed class Http1ProxyFeatureTests
{
    [Fact]
    public async Task HttpProxy_WebSocketUpgrade_101ThenBytesBothWays()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            Assert.Equal("websocket", request.Head.Header("upgrade"));
            Assert.Equal("upgrade", request.Head.Header("connection"));
            await request.SendAsync("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", cancellationToken);
            await FakeUpstream.EchoAsync(request.Socket, cancellationToken);
            return false;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);

        await Loopback.SendAllAsync(client, "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: x\r\n\r\n"u8.ToArray());
        HttpTestMessage head = await connection.ReadHeadAsync() ?? throw new EndOfStreamException();
        Assert.Equal(101, head.Status);
        Assert.Equal("websocket", head.Header("upgrade"));

        for (int i = 0; i < 3; i++)
        {
            byte[] frame = Encoding.ASCII.GetBytes($"frame {i} through the tunnel");
            await Loopback.SendAllAsync(client, frame);
            Assert.Equal(frame, await Loopback.ReadExactlyAsync(client, frame.Length));
        }
        client.Shutdown(SocketShutdown.Send);
        Assert.True(await Loopback.WaitForCloseAsync(client));
        Assert.Empty(upstream.Errors);
    }

    [Fact]
    public async Task HttpProxy_WeightedSubsets_SplitFollowsWeights()
    {
        await using FakeHttpUpstream v1 = FakeHttpUpstream.Echo();
        await using FakeHttpUpstream v2 = FakeHttpUpstream.Echo();
        string toml = $$"""
            [[listeners]]
            name = "web"
            address = "127.0.0.1:0"
            protocol = "http"
            routes = "web"

            [[routes]]
            name = "web"

              [[routes.rules]]
              to = [{ cluster = "ui", subset = "v1", weight = 50 }, { cluster = "ui", subset = "v2", weight = 50 }]

            [[clusters]]
            name = "ui"
            endpoints = [
              { address = "{{v1.EndPoint}}", labels = { version = "v1" } },
              { address = "{{v2.EndPoint}}", labels = { version = "v2" } },
            ]
            subsets = [{ name = "v1", labels = { version = "v1" } }, { name = "v2", labels = { version = "v2" } }]
            """;
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(toml);
        using HttpClient client = proxy.CreateClient(maxConnections: 4);

        for (int batch = 0; batch < 50; batch++)
        {
            await Task.WhenAll(Enumerable.Range(0, 40).Select(i => client.GetStringAsync($"/{batch}/{i}")));
        }

        int total = v1.Requests.Count + v2.Requests.Count;
        Assert.Equal(2000, total);
        Assert.InRange(v1.Requests.Count, 800, 1200);
        Assert.InRange(v2.Requests.Count, 800, 1200);
    }

    [Fact]
    public async Task HttpProxy_CurlExpectContinue_ProxyAnswers100AndBodyArrives()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        string file = Path.GetTempFileName();
        byte[] payload = Http1ProxyTests.RandomBytes(100_000, seed: 3);
        await File.WriteAllBytesAsync(file, payload);
        try
        {
            var start = new ProcessStartInfo("curl")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                ArgumentList = { "-sv", "--max-time", "20", "-H", "Expect: 100-continue", "--data-binary", "@" + file, $"http://{proxy.EndPoint()}/upload" },
            };
            using Process curl = Process.Start(start)!;
            Task<string> stdout = curl.StandardOutput.ReadToEndAsync();
            Task<string> stderr = curl.StandardError.ReadToEndAsync();
            await curl.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(0, curl.ExitCode);
            Assert.Contains("< HTTP/1.1 100 Continue", await stderr);
            Assert.Equal("POST /upload len=100000", await stdout);
            FakeHttpRequest received = Assert.Single(upstream.Requests);
            Assert.Null(received.Head.Header("expect"));
            Assert.Equal(payload, received.Body);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task HttpProxy_UpstreamSends103EarlyHints_FinalResponseArrivesWholeAndConnectionGoesOn()
    {
        const string link = "</style.css>; rel=preload; as=style";
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            if (request.Head.Target != "/hints")
            {
                return await FakeHttpUpstream.EchoAsync(request, cancellationToken);
            }
            await request.ReadBodyAsync();
            await request.SendAsync($"HTTP/1.1 103 Early Hints\r\nLink: {link}\r\n\r\n", cancellationToken);
            await request.RespondAsync(200, "hinted"u8.ToArray(), cancellationToken, ("Link", link));
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);

        await Loopback.SendAllAsync(client, "GET /hints HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        // As a client reads it: interim heads (none, as Meshy drops them today, or the 103 passed on), then the final response.
        var interim = new List<HttpTestMessage>();
        (HttpTestMessage Head, byte[] Body) final;
        while ((final = await connection.ReadResponseAsync()).Head.Status < 200)
        {
            interim.Add(final.Head);
        }
        await Loopback.SendAllAsync(client, "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        (HttpTestMessage _, byte[] next) = await connection.ReadResponseAsync();

        Assert.All(interim, head =>
        {
            Assert.Equal(103, head.Status);
            Assert.Equal(link, head.Header("link"));
            Assert.Null(head.Header("content-length"));
            Assert.Null(head.Header("transfer-encoding"));
        });
        Assert.Equal(200, final.Head.Status);
        Assert.Equal(link, final.Head.Header("link"));
        Assert.Equal("hinted", Encoding.ASCII.GetString(final.Body));
        Assert.Equal("GET /next len=0", Encoding.ASCII.GetString(next));
        Assert.Equal(0, connection.Buffered);
        Assert.Equal(1, upstream.Accepted);
    }

    [Fact]
    public async Task HttpProxy_DirectResponseRule_AnswersWithoutUpstream()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        string toml = HttpProxyConfigs.Simple(upstream.EndPoint).Replace("""
              [[routes.rules]]
              name = "default"
            """, """
              [[routes.rules]]
              name = "health"
              match.path.exact = "/healthz"
              respond = { status = 200, body = "ok", headers = { x-from = "meshy" } }

              [[routes.rules]]
              name = "default"
            """, StringComparison.Ordinal);
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(toml);
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/healthz");
        string proxied = await client.GetStringAsync("/healthz/deeper");

        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Equal("meshy", response.Headers.GetValues("x-from").Single());
        Assert.Equal("GET /healthz/deeper len=0", proxied);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task HttpProxy_HeaderMatch_RuleMatchesOnlyWithTheHeader()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        string toml = HttpProxyConfigs.Simple(upstream.EndPoint).Replace("""match.path.prefix = "/" """.TrimEnd(), """match.headers.x-user.exact = "a" """.TrimEnd(), StringComparison.Ordinal);
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(toml);
        using HttpClient client = proxy.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("x-user", "a");

        HttpResponseMessage matched = await client.SendAsync(request);
        HttpResponseMessage unmatched = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, matched.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unmatched.StatusCode);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task HttpProxy_Connect_200ThenBytesBothWays()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            Assert.Equal("CONNECT", request.Head.Method);
            Assert.Equal("db.internal:5432", request.Head.Target);
            await request.SendAsync("HTTP/1.1 200 Connection Established\r\n\r\n", cancellationToken);
            await FakeUpstream.EchoAsync(request.Socket, cancellationToken);
            return false;
        });
        string toml = HttpProxyConfigs.Simple(upstream.EndPoint).Replace("""match.path.prefix = "/" """.TrimEnd(), "", StringComparison.Ordinal);
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(toml);
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);

        await Loopback.SendAllAsync(client, "CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\n\r\n"u8.ToArray());
        HttpTestMessage head = await connection.ReadHeadAsync() ?? throw new EndOfStreamException();
        Assert.Equal(200, head.Status);
        Assert.Null(head.Header("content-length"));
        Assert.Null(head.Header("transfer-encoding"));

        byte[] up = Http1ProxyTests.RandomBytes(64 * 1024, seed: 7);
        await Loopback.SendAllAsync(client, up);
        Assert.Equal(up, await Loopback.ReadExactlyAsync(client, up.Length));
        client.Shutdown(SocketShutdown.Send);
        Assert.True(await Loopback.WaitForCloseAsync(client));
        Assert.Empty(upstream.Errors);
    }
}
