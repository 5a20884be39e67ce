using System.Net;
using System.Net.Sockets;
using System.Text;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Retries;

/// <summary>
/// <c>retries</c> through the proxy on real sockets: which failures go again, to which endpoint, with
/// which body, and what bounds them (attempts, idempotency, the replay buffer, the route timeout,
/// <c>limits.max_retries</c>).
/// </summary>
public sealed class RouterRetryTests
{
    private const string AttemptHeader = "x-envoy-attempt-count";

    [Fact]
    public async Task Retry_FirstEndpointAnswers503_SecondEndpointAnswers()
    {
        Func<FakeHttpRequest, CancellationToken, Task<bool>> handler = FailFirstTry(503);
        await using FakeHttpUpstream first = FakeHttpUpstream.Start(handler);
        await using FakeHttpUpstream second = FakeHttpUpstream.Start(handler);
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(
            RetryConfigs.Retrying("""{ attempts = 2, on = ["503"] }""", [first.EndPoint, second.EndPoint]));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("try 2", await response.Content.ReadAsStringAsync());
        FakeHttpRequest[] all = [.. first.Requests, .. second.Requests];
        Assert.Equal(2, all.Length);
        FakeHttpUpstream failed = first.Requests.Any(r => r.Head.Header(AttemptHeader) == "1") ? first : second;
        FakeHttpUpstream answered = ReferenceEquals(failed, first) ? second : first;
        Assert.Equal("1", Assert.Single(failed.Requests).Head.Header(AttemptHeader));
        Assert.Equal("2", Assert.Single(answered.Requests).Head.Header(AttemptHeader));
    }

    [Fact]
    public async Task Retry_PerTryTimeoutExpires_NextEndpointAnswersAndAbandonedConnectionCloses()
    {
        var abandoned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<FakeHttpRequest, CancellationToken, Task<bool>> handler = async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            if (request.Head.Header(AttemptHeader) == "1")
            {
                // Never answer; the proxy must give the try up and not reuse its connection.
                await Loopback.WaitForCloseAsync(request.Socket, TimeSpan.FromSeconds(30));
                abandoned.TrySetResult();
                return false;
            }
            await request.RespondAsync(200, "late but fine"u8.ToArray(), cancellationToken);
            return true;
        };
        await using FakeHttpUpstream first = FakeHttpUpstream.Start(handler);
        await using FakeHttpUpstream second = FakeHttpUpstream.Start(handler);
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(RetryConfigs.Retrying(
            // NOTE: the answering try must beat the per-try timeout too; 1s leaves room on a loaded CI machine.
            """{ attempts = 1, per_try_timeout = "1s", on = ["gateway-error"] }""", [first.EndPoint, second.EndPoint]));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("late but fine", await response.Content.ReadAsStringAsync());
        Assert.Single(first.Requests);
        Assert.Single(second.Requests);
        await abandoned.Task.WaitAsync(Loopback.DefaultTimeout);
    }

    [Fact]
    public async Task Retry_PerTryTimeoutOnEveryTry_504WithUT()
    {
        await using FakeHttpUpstream silent = FakeHttpUpstream.Start(async (request, _) =>
        {
            await Loopback.WaitForCloseAsync(request.Socket, TimeSpan.FromSeconds(30));
            return false;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(RetryConfigs.Retrying(
            """{ attempts = 1, per_try_timeout = "300ms", on = ["5xx"] }""", [silent.EndPoint]));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        // Each try's request was sent before its timeout; on a loaded machine the upstream may read the
        // second one just after the 504 went out.
        await Loopback.WaitUntilAsync(() => silent.Requests.Count == 2, "the upstream saw both tries");
        Assert.Equal(2, silent.Requests.Count);
        await AssertLoggedFlagsAsync(proxy, "UT");
    }

    [Fact]
    public async Task Retry_ConnectFailure_RetriedToLiveEndpoint()
    {
        using Socket refusing = Loopback.BindRefusing();
        await using FakeHttpUpstream live = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(RetryConfigs.Retrying(
            """{ attempts = 1, on = ["connect-failure"] }""", [refusing.LocalEndPoint!, live.EndPoint]));
        using HttpClient client = proxy.CreateClient();

        // Round robin alternates, so some of these are first sent to the refusing endpoint.
        for (int i = 0; i < 4; i++)
        {
            HttpResponseMessage response = await client.PostAsync("/", new StringContent("x"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("POST / len=1", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(4, live.Requests.Count);
        Assert.Contains(proxy.Logs.Lines, line => line.Contains("(connect-failure)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retry_PostAnswered503_NotRetriedByDefault()
    {
        Func<FakeHttpRequest, CancellationToken, Task<bool>> handler = FailFirstTry(503);
        await using FakeHttpUpstream first = FakeHttpUpstream.Start(handler);
        await using FakeHttpUpstream second = FakeHttpUpstream.Start(handler);
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(
            RetryConfigs.Retrying("""{ attempts = 2, on = ["503"] }""", [first.EndPoint, second.EndPoint]));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.PostAsync("/pay", new StringContent("amount=10"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, first.Requests.Count + second.Requests.Count);
    }

    [Fact]
    public async Task Retry_PostAnswered503WithNonIdempotent_RetriedWithSameBody()
    {
        Func<FakeHttpRequest, CancellationToken, Task<bool>> handler = FailFirstTry(503);
        await using FakeHttpUpstream first = FakeHttpUpstream.Start(handler);
        await using FakeHttpUpstream second = FakeHttpUpstream.Start(handler);
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(RetryConfigs.Retrying(
            """{ attempts = 2, on = ["503"], non_idempotent = true }""", [first.EndPoint, second.EndPoint]));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.PostAsync("/pay", new StringContent("amount=10"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        FakeHttpRequest[] all = [.. first.Requests, .. second.Requests];
        Assert.Equal(2, all.Length);
        Assert.All(all, request => Assert.Equal("amount=10", Encoding.ASCII.GetString(request.Body!)));
    }

    [Fact]
    public async Task Retry_ChunkedPutWithinReplayBuffer_ReplayedWhole()
    {
        byte[] payload = RandomBytes(40 * 1024);
        Func<FakeHttpRequest, CancellationToken, Task<bool>> handler = FailFirstTry(502);
        await using FakeHttpUpstream first = FakeHttpUpstream.Start(handler);
        await using FakeHttpUpstream second = FakeHttpUpstream.Start(handler);
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(
            RetryConfigs.Retrying("""{ attempts = 2, on = ["gateway-error"] }""", [first.EndPoint, second.EndPoint]));
        using HttpClient client = proxy.CreateClient();
        using var content = new StreamContent(new MemoryStream(payload), 4096);   // no length: chunked

        HttpResponseMessage response = await client.PutAsync("/blob", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        FakeHttpRequest[] all = [.. first.Requests, .. second.Requests];
        Assert.Equal(2, all.Length);
        Assert.All(all, request => Assert.Equal(payload, request.Body));
    }

    [Fact]
    public async Task Retry_PostLargerThanReplayBuffer_NotRetried()
    {
        byte[] payload = RandomBytes(Router.RetryPolicy.ReplayBufferSize + 1);
        Func<FakeHttpRequest, CancellationToken, Task<bool>> handler = FailFirstTry(503);
        await using FakeHttpUpstream first = FakeHttpUpstream.Start(handler);
        await using FakeHttpUpstream second = FakeHttpUpstream.Start(handler);
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(RetryConfigs.Retrying(
            """{ attempts = 2, on = ["503"], non_idempotent = true }""", [first.EndPoint, second.EndPoint]));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.PostAsync("/upload", new ByteArrayContent(payload));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        FakeHttpRequest only = Assert.Single([.. first.Requests, .. second.Requests]);
        Assert.Equal(payload, only.Body);                       // forwarded whole, just not kept
    }

    [Fact]
    public async Task Retry_ChunkedPostOutgrowingReplayBuffer_NotRetried()
    {
        byte[] payload = RandomBytes(3 * Router.RetryPolicy.ReplayBufferSize);
        Func<FakeHttpRequest, CancellationToken, Task<bool>> handler = FailFirstTry(503);
        await using FakeHttpUpstream first = FakeHttpUpstream.Start(handler);
        await using FakeHttpUpstream second = FakeHttpUpstream.Start(handler);
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(RetryConfigs.Retrying(
            """{ attempts = 2, on = ["503"], non_idempotent = true }""", [first.EndPoint, second.EndPoint]));
        using HttpClient client = proxy.CreateClient();
        using var content = new StreamContent(new MemoryStream(payload), 8192);   // no length: chunked

        HttpResponseMessage response = await client.PostAsync("/upload", content);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single([.. first.Requests, .. second.Requests]);
    }

    [Fact]
    public async Task Retry_AttemptsExhausted_ReturnsLastFailure()
    {
        Func<FakeHttpRequest, CancellationToken, Task<bool>> handler = async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            await request.RespondAsync(503, Encoding.ASCII.GetBytes("down"), cancellationToken, ("x-try", request.Head.Header(AttemptHeader) ?? "?"));
            return true;
        };
        await using FakeHttpUpstream first = FakeHttpUpstream.Start(handler);
        await using FakeHttpUpstream second = FakeHttpUpstream.Start(handler);
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(
            RetryConfigs.Retrying("""{ attempts = 2, on = ["5xx"] }""", [first.EndPoint, second.EndPoint]));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("3", Assert.Single(response.Headers.GetValues("x-try")));
        Assert.Equal("down", await response.Content.ReadAsStringAsync());
        Assert.Equal(3, first.Requests.Count + second.Requests.Count);
    }

    [Fact]
    public async Task Retry_RouteTimeoutPasses_504WithUTCutsRetries()
    {
        await using FakeHttpUpstream silent = FakeHttpUpstream.Start(async (request, _) =>
        {
            await Loopback.WaitForCloseAsync(request.Socket, TimeSpan.FromSeconds(30));
            return false;
        });
        // Ten retries of 200 ms each would take over two seconds; the route allows 500 ms for all of them.
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(RetryConfigs.Retrying(
            """{ attempts = 10, per_try_timeout = "200ms", on = ["5xx"] }""", [silent.EndPoint], ruleExtra: """timeout = "500ms" """));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        await AssertLoggedFlagsAsync(proxy, "UT");
        Assert.InRange(silent.Requests.Count, 1, 3);             // each try lasts at least 200 ms
    }

    [Fact]
    public async Task Retry_MaxRetriesZero_NoRetry()
    {
        Func<FakeHttpRequest, CancellationToken, Task<bool>> handler = FailFirstTry(503);
        await using FakeHttpUpstream first = FakeHttpUpstream.Start(handler);
        await using FakeHttpUpstream second = FakeHttpUpstream.Start(handler);
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(RetryConfigs.Retrying(
            """{ attempts = 2, on = ["503"] }""", [first.EndPoint, second.EndPoint], clusterExtra: "limits = { max_retries = 0 }"));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, first.Requests.Count + second.Requests.Count);
        Assert.Contains(proxy.Logs.Lines, line => line.Contains("limits.max_retries", StringComparison.Ordinal));
    }

    /// <summary>Answers <paramref name="status"/> to a request's first try and 200 <c>try N</c> to any later one.</summary>
    private static Func<FakeHttpRequest, CancellationToken, Task<bool>> FailFirstTry(int status) => async (request, cancellationToken) =>
    {
        await request.ReadBodyAsync();
        string attempt = request.Head.Header(AttemptHeader) ?? "?";
        if (attempt == "1")
        {
            await request.RespondAsync(status, [], cancellationToken);
            return true;
        }
        await request.RespondAsync(200, Encoding.ASCII.GetBytes($"try {attempt}"), cancellationToken);
        return true;
    };

    private static byte[] RandomBytes(int length)
    {
        byte[] bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private static Task AssertLoggedFlagsAsync(HttpProxyHarness proxy, string flags) =>
        Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Any(line => line.Contains($"flags {flags} ", StringComparison.Ordinal)),
            $"a request is logged with flags {flags}");
}
