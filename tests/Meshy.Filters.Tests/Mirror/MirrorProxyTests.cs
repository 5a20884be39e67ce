using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Meshy.Filters.Mirror;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Mirror;

/// <summary>
/// <c>mirror</c> through the proxy on real sockets: what the copy carries, that the primary never waits for
/// it or fails with it, bodies teed at any size within a bounded window, and the counted outcomes.
/// </summary>
public sealed class MirrorProxyTests
{
    private const string Shadow = "shadow";

    [Fact]
    public async Task Mirror_Request_CopyHasShadowHostAndSameMethodPathHeadersAndBody()
    {
        await using FakeHttpUpstream primary = Answering("primary");
        await using FakeHttpUpstream mirror = Answering("mirror");
        await using MirrorProxy proxy = await MirrorProxy.StartAsync(MirrorConfigs.Mirrored([primary.EndPoint], [mirror.EndPoint],
            ruleExtra: """
            rewrite = { prefix = "/v2/" }
            headers.request.set = { x-mesh = "meshy" }
            """));
        using HttpClient client = proxy.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/items?q=1") { Content = new StringContent("hello mirror") };
        request.Headers.Host = "ui.example.com:8080";
        request.Headers.Add("x-test", "yes");

        HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("primary", await response.Content.ReadAsStringAsync());
        await proxy.WaitForCountAsync(Shadow, MirrorResult.Sent, 1);
        FakeHttpRequest original = Assert.Single(primary.Requests);
        FakeHttpRequest copy = Assert.Single(mirror.Requests);
        Assert.Equal("ui.example.com:8080", original.Head.Header("host"));
        Assert.Equal("ui.example.com-shadow:8080", copy.Head.Header("host"));
        Assert.Equal("PUT", copy.Head.Method);
        Assert.Equal("/v2/api/items?q=1", copy.Head.Target);
        Assert.Equal(original.Head.Target, copy.Head.Target);
        Assert.Equal("yes", copy.Head.Header("x-test"));
        Assert.Equal("meshy", copy.Head.Header("x-mesh"));
        Assert.Equal(original.Head.Header("x-request-id"), copy.Head.Header("x-request-id"));
        Assert.Equal("hello mirror", Encoding.ASCII.GetString(copy.Body!));
        Assert.Equal("hello mirror", Encoding.ASCII.GetString(original.Body!));
    }

    [Fact]
    public async Task Mirror_ChunkedBody_CopyIsChunkedWithTheSameBytes()
    {
        await using FakeHttpUpstream primary = Answering("primary");
        await using FakeHttpUpstream mirror = Answering("mirror");
        await using MirrorProxy proxy = await MirrorProxy.StartAsync(MirrorConfigs.Mirrored([primary.EndPoint], [mirror.EndPoint]));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint);

        await Loopback.SendAllAsync(client, Encoding.ASCII.GetBytes(
            "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
        (HttpTestMessage head, byte[] answer) = await new HttpTestConnection(client).ReadResponseAsync();

        Assert.Equal(200, head.Status);
        Assert.Equal("primary", Encoding.ASCII.GetString(answer));
        await proxy.WaitForCountAsync(Shadow, MirrorResult.Sent, 1);
        FakeHttpRequest copy = Assert.Single(mirror.Requests);
        Assert.Equal("chunked", copy.Head.Header("transfer-encoding"));
        Assert.Equal("hello world", Encoding.ASCII.GetString(copy.Body!));
        Assert.Equal("a-shadow", copy.Head.Header("host"));
    }

    [Fact]
    public async Task Mirror_MirrorSlowToAnswer_PrimaryCompletesWhileMirrorStillWaits()
    {
        // Open for the warm-up request, then closed for the measured one.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        release.SetResult();
        await using FakeHttpUpstream primary = Answering("primary");
        await using FakeHttpUpstream mirror = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            // Sleeps up to 5 s, or until the test has seen the primary complete.
            await Task.WhenAny(release.Task, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));
            await request.RespondAsync(200, "late"u8.ToArray(), cancellationToken);
            return true;
        });
        await using MirrorProxy proxy = await MirrorProxy.StartAsync(MirrorConfigs.Mirrored([primary.EndPoint], [mirror.EndPoint]));
        using HttpClient client = proxy.CreateClient();
        await client.GetStringAsync("/warm");
        await proxy.WaitForCountAsync(Shadow, MirrorResult.Sent, 1);
        release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var clock = Stopwatch.StartNew();
        string answer = await client.GetStringAsync("/slow");
        TimeSpan took = clock.Elapsed;

        Assert.Equal("primary", answer);
        await Loopback.WaitUntilAsync(() => mirror.Requests.Count == 2, "the mirror got the second copy");
        Assert.False(release.Task.IsCompleted);
        Assert.Equal(1, proxy.Count(Shadow, MirrorResult.Sent));   // the second copy is still waiting for its answer
        Assert.True(took < TimeSpan.FromSeconds(1), $"the primary took {took.TotalMilliseconds:F0} ms while the mirror slept");
        release.SetResult();
        await proxy.WaitForCountAsync(Shadow, MirrorResult.Sent, 2);
    }

    [Fact]
    public async Task Mirror_HundredMebibyteUpload_MirroredWholeWithSameHash()
    {
        const long total = 100L << 20;
        var primaryHash = new TaskCompletionSource<(long, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        var mirrorHash = new TaskCompletionSource<(long, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        // A copy that falls a window behind is abandoned by design (another test covers that). Here the primary
        // reads at a modest pace and the window is 32 MiB, half a second of that pace: a scheduling stall of the
        // in-process mirror on a loaded CI host (the default 4 MiB window is about 60 ms) must not abandon it.
        await using FakeHttpUpstream primary = FakeHttpUpstream.Start(HashingHandler(primaryHash, pace: true));
        await using FakeHttpUpstream mirror = FakeHttpUpstream.Start(HashingHandler(mirrorHash, pace: false));
        await using MirrorProxy proxy = await MirrorProxy.StartAsync(
            MirrorConfigs.Mirrored([primary.EndPoint], [mirror.EndPoint]), windowCapacity: 32 << 20);
        using HttpClient client = proxy.CreateClient();
        // A pooled connection to the mirror first: a copy that must connect while the primary streams at
        // loopback speed starts megabytes behind.
        await client.PostAsync("/warm", new StringContent("warm"));
        await proxy.WaitForCountAsync(Shadow, MirrorResult.Sent, 1);
        var content = new GeneratedContent(total);

        HttpResponseMessage response = await client.PostAsync("/upload", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        (long primaryLength, byte[] primarySha) = await primaryHash.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await Loopback.WaitUntilAsync(() => mirrorHash.Task.IsCompleted || proxy.Mirrors.ForCluster(Shadow).InFlight == 0,
            "the mirror read the whole body or the copy ended", TimeSpan.FromSeconds(60));
        Assert.Equal(0, proxy.Count(Shadow, MirrorResult.Abandoned));
        Assert.Equal(0, proxy.Count(Shadow, MirrorResult.Failed));
        (long mirrorLength, byte[] mirrorSha) = await mirrorHash.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(total, primaryLength);
        Assert.Equal(total, mirrorLength);
        Assert.Equal(content.Hash, primarySha);
        Assert.Equal(content.Hash, mirrorSha);
        await proxy.WaitForCountAsync(Shadow, MirrorResult.Sent, 2);
        Assert.Equal(0, proxy.Count(Shadow, MirrorResult.Abandoned));
    }

    [Fact]
    public async Task Mirror_MirrorStopsReading_AbandonedWhilePrimaryUploadSucceeds()
    {
        const long total = 64L << 20;
        var primaryHash = new TaskCompletionSource<(long, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream primary = FakeHttpUpstream.Start(HashingHandler(primaryHash, pace: false));
        await using FakeHttpUpstream mirror = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            // Takes the head, then never reads again.
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return false;
        });
        await using MirrorProxy proxy = await MirrorProxy.StartAsync(MirrorConfigs.Mirrored([primary.EndPoint], [mirror.EndPoint]));
        using HttpClient client = proxy.CreateClient();
        var content = new GeneratedContent(total);

        HttpResponseMessage response = await client.PostAsync("/upload", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        (long length, byte[] sha) = await primaryHash.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(total, length);
        Assert.Equal(content.Hash, sha);
        await proxy.WaitForCountAsync(Shadow, MirrorResult.Abandoned, 1);
        Assert.Equal(1, proxy.Count(Shadow, MirrorResult.Abandoned));
        Assert.Equal(0, proxy.Count(Shadow, MirrorResult.Sent));
    }

    [Fact]
    public async Task Mirror_NothingListening_PrimarySucceedsAndCopyCountedFailed()
    {
        await using FakeHttpUpstream primary = Answering("primary");
        using Socket refusing = Loopback.BindRefusing();
        await using MirrorProxy proxy = await MirrorProxy.StartAsync(MirrorConfigs.Mirrored([primary.EndPoint], [refusing.LocalEndPoint!]));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.PostAsync("/", new StringContent("body"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("primary", await response.Content.ReadAsStringAsync());
        await proxy.WaitForCountAsync(Shadow, MirrorResult.Failed, 1);
        Assert.Equal(0, proxy.Count(Shadow, MirrorResult.Sent));
    }

    [Fact]
    public async Task Mirror_FiftyPercent_CopiesWithinBinomialBounds()
    {
        const int requests = 2000;
        await using FakeHttpUpstream primary = Answering("primary");
        await using FakeHttpUpstream mirror = Answering("mirror");
        await using MirrorProxy proxy = await MirrorProxy.StartAsync(MirrorConfigs.Mirrored([primary.EndPoint], [mirror.EndPoint],
            mirror: """{ cluster = "shadow", percent = 50 }"""));
        using HttpClient client = proxy.CreateClient();

        for (int i = 0; i < requests; i++)
        {
            await client.GetStringAsync("/");
        }

        await Loopback.WaitUntilAsync(() => proxy.Mirrors.ForCluster(Shadow).InFlight == 0, "every copy ended");
        long copies = proxy.Count(Shadow, MirrorResult.Sent);
        // Binomial(2000, 0.5): mean 1000, sigma 22.4; ±6 sigma.
        Assert.InRange(copies, 866, 1134);
        Assert.Equal(copies, mirror.Requests.Count);
        Assert.Equal(requests, primary.Requests.Count);
        Assert.Equal(0, proxy.Count(Shadow, MirrorResult.Failed) + proxy.Count(Shadow, MirrorResult.Skipped) + proxy.Count(Shadow, MirrorResult.Abandoned));
    }

    [Fact]
    public async Task Mirror_RetriedRequestWithBody_MirrorGetsTheBodyOnce()
    {
        int tries = 0;
        Func<FakeHttpRequest, CancellationToken, Task<bool>> failFirst = async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            bool first = Interlocked.Increment(ref tries) == 1;
            await request.RespondAsync(first ? 503 : 200, Encoding.ASCII.GetBytes(first ? "busy" : "primary"), cancellationToken);
            return true;
        };
        await using FakeHttpUpstream first = FakeHttpUpstream.Start(failFirst);
        await using FakeHttpUpstream second = FakeHttpUpstream.Start(failFirst);
        await using FakeHttpUpstream mirror = Answering("mirror");
        await using MirrorProxy proxy = await MirrorProxy.StartAsync(MirrorConfigs.Mirrored([first.EndPoint, second.EndPoint], [mirror.EndPoint],
            ruleExtra: """retries = { attempts = 1, on = ["503"] }"""));
        using HttpClient client = proxy.CreateClient();
        byte[] body = new byte[50_000];   // within the router's replay buffer
        new Random(3).NextBytes(body);

        HttpResponseMessage response = await client.PutAsync("/item", new ByteArrayContent(body));

        Assert.Equal("primary", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, tries);
        await proxy.WaitForCountAsync(Shadow, MirrorResult.Sent, 1);
        // A second request on the mirror's (reused) connection: any extra body bytes would have corrupted it.
        using HttpClient reloaded = proxy.CreateClient();   // a new connection: it starts on the new snapshot
        Assert.Equal("primary", await reloaded.GetStringAsync("/after"));
        await proxy.WaitForCountAsync(Shadow, MirrorResult.Sent, 2);
        FakeHttpRequest[] copies = [.. mirror.Requests];
        Assert.Equal(2, copies.Length);
        Assert.Equal("PUT /item", $"{copies[0].Head.Method} {copies[0].Head.Target}");
        Assert.Equal(body, copies[0].Body);
        Assert.Equal("GET /after", $"{copies[1].Head.Method} {copies[1].Head.Target}");
        Assert.Empty(mirror.Errors);
    }

    [Fact]
    public async Task Mirror_MaxRequestsInFlight_FurtherCopiesSkipped()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream primary = Answering("primary");
        await using FakeHttpUpstream mirror = Stalling(release.Task);
        await using MirrorProxy proxy = await MirrorProxy.StartAsync(MirrorConfigs.Mirrored([primary.EndPoint], [mirror.EndPoint],
            shadowExtra: "limits = { max_requests = 2 }"));
        using HttpClient client = proxy.CreateClient();

        for (int i = 0; i < 5; i++)
        {
            Assert.Equal("primary", await client.GetStringAsync($"/{i}"));
        }

        Assert.Equal(3, proxy.Count(Shadow, MirrorResult.Skipped));
        await Loopback.WaitUntilAsync(() => mirror.Requests.Count == 2, "the two admitted copies reached the mirror");
        Assert.Equal(2, proxy.Mirrors.ForCluster(Shadow).InFlight);
        release.SetResult();
        await proxy.WaitForCountAsync(Shadow, MirrorResult.Sent, 2);
        Assert.Equal(2, mirror.Requests.Count);
    }

    [Fact]
    public async Task Mirror_MirrorNeverAnswers_CopyTimesOutWithRuleTimeoutAndCountsFailed()
    {
        await using FakeHttpUpstream primary = Answering("primary");
        await using FakeHttpUpstream mirror = Stalling(Task.Delay(Timeout.Infinite));
        await using MirrorProxy proxy = await MirrorProxy.StartAsync(MirrorConfigs.Mirrored([primary.EndPoint], [mirror.EndPoint],
            ruleExtra: """timeout = "500ms" """));
        using HttpClient client = proxy.CreateClient();

        Assert.Equal("primary", await client.GetStringAsync("/"));

        await proxy.WaitForCountAsync(Shadow, MirrorResult.Failed, 1);
        Assert.Equal(0, proxy.Mirrors.ForCluster(Shadow).InFlight);
    }

    [Fact]
    public async Task Mirror_ToThePrimarysOwnCluster_ConnectionsTheCopiesOpenedServeTheRouterToo()
    {
        await using FakeHttpUpstream backend = Answering("primary");
        await using MirrorProxy proxy = await MirrorProxy.StartAsync(MirrorConfigs.Mirrored([backend.EndPoint], [backend.EndPoint],
            mirror: """{ cluster = "backend" }"""));
        using HttpClient client = proxy.CreateClient();

        for (int i = 0; i < 20; i++)
        {
            Assert.Equal("primary", await client.GetStringAsync($"/{i}"));
            await proxy.WaitForCountAsync("backend", MirrorResult.Sent, i + 1);
        }

        Assert.Equal(40, backend.Requests.Count);
        Assert.Empty(backend.Errors);
        // Every connection went back to the pool, whoever opened it (a codec made by a copy once lacked its
        // lease, and the router's release of it failed): at most the router's and the copies' one.
        Assert.InRange(backend.Accepted, 1, 2);
    }

    [Fact]
    public async Task Mirror_ClientGoneMidBody_CopyAbandoned()
    {
        var headSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream primary = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            headSeen.TrySetResult();
            await request.ReadBodyAsync();
            await request.RespondAsync(200, [], cancellationToken);
            return true;
        });
        await using FakeHttpUpstream mirror = Answering("mirror");
        await using MirrorProxy proxy = await MirrorProxy.StartAsync(MirrorConfigs.Mirrored([primary.EndPoint], [mirror.EndPoint]));

        using (Socket client = await Loopback.ConnectAsync(proxy.EndPoint))
        {
            await Loopback.SendAllAsync(client, Encoding.ASCII.GetBytes("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n"));
            await Loopback.SendAllAsync(client, new byte[10_000]);
            await headSeen.Task.WaitAsync(Loopback.DefaultTimeout);
        }

        await proxy.WaitForCountAsync(Shadow, MirrorResult.Abandoned, 1);
        Assert.Equal(0, proxy.Count(Shadow, MirrorResult.Sent));
        Assert.Equal(0, proxy.Count(Shadow, MirrorResult.Failed));
    }

    [Fact]
    public async Task Mirror_Reload_NewRequestsGoToNewTarget_CopyInFlightFinishesOnItsSnapshot()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream primary = Answering("primary");
        await using FakeHttpUpstream oldMirror = Stalling(release.Task);
        await using FakeHttpUpstream newMirror = Answering("new mirror");
        EndPoint[] backend = [primary.EndPoint];
        await using MirrorProxy proxy = await MirrorProxy.StartAsync(MirrorConfigs.Mirrored(backend, [oldMirror.EndPoint], shadow2: [newMirror.EndPoint]));
        using HttpClient client = proxy.CreateClient();
        Assert.Equal("primary", await client.GetStringAsync("/before"));
        await Loopback.WaitUntilAsync(() => oldMirror.Requests.Count == 1, "the first copy reached the old mirror");

        await proxy.ReloadAsync(MirrorConfigs.Mirrored(backend, [oldMirror.EndPoint], mirror: """{ cluster = "shadow2", percent = 100 }""",
            shadow2: [newMirror.EndPoint]));
        using HttpClient reloaded = proxy.CreateClient();   // a new connection: it starts on the new snapshot
        Assert.Equal("primary", await reloaded.GetStringAsync("/after"));

        await proxy.WaitForCountAsync("shadow2", MirrorResult.Sent, 1);
        Assert.Equal("/after", Assert.Single(newMirror.Requests).Head.Target);
        Assert.Equal("/before", Assert.Single(oldMirror.Requests).Head.Target);
        release.SetResult();
        await proxy.WaitForCountAsync(Shadow, MirrorResult.Sent, 1);
    }

    /// <summary>Answers every request 200 with <paramref name="body"/>, after reading its body.</summary>
    private static FakeHttpUpstream Answering(string body) => FakeHttpUpstream.Start(async (request, cancellationToken) =>
    {
        await request.ReadBodyAsync();
        await request.RespondAsync(200, Encoding.ASCII.GetBytes(body), cancellationToken);
        return true;
    });

    /// <summary>Reads each request, then answers only once <paramref name="release"/> completes.</summary>
    private static FakeHttpUpstream Stalling(Task release) => FakeHttpUpstream.Start(async (request, cancellationToken) =>
    {
        await request.ReadBodyAsync();
        await release.WaitAsync(cancellationToken);
        await request.RespondAsync(200, "late"u8.ToArray(), cancellationToken);
        return true;
    });

    /// <summary>
    /// Hashes each request body as it arrives (never keeping it), then answers 200; the hash of <c>/upload</c>
    /// goes to <paramref name="result"/>. <paramref name="pace"/> reads slowly.
    /// </summary>
    private static Func<FakeHttpRequest, CancellationToken, Task<bool>> HashingHandler(TaskCompletionSource<(long, byte[])> result, bool pace) =>
        async (request, cancellationToken) =>
        {
            long length = long.Parse(request.Head.Header("content-length")!);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long read = 0;
            while (read < length)
            {
                long step = await request.Connection.HashAsync(Math.Min(64 * 1024, length - read), hash, cancellationToken);
                if (step == 0)
                {
                    break;
                }
                read += step;
                if (pace)
                {
                    await Task.Delay(1, cancellationToken);
                }
            }
            if (request.Head.Target == "/upload")
            {
                result.TrySetResult((read, hash.GetHashAndReset()));
            }
            await request.RespondAsync(200, Encoding.ASCII.GetBytes(read.ToString()), cancellationToken);
            return true;
        };
}
