using System.Net;
using System.Text;
using Meshy.Testing;

namespace Meshy.Filters.Tests.HttpProxy;

/// <summary>The upstream connection pool through the proxy: circuit-breaker limits, pending requests, idle connections.</summary>
public sealed class Http1ProxyPoolTests
{
    [Fact]
    public async Task HttpProxy_MaxConnectionsReachedNoPendingAllowed_SecondRequest503WithUO()
    {
        await using var slow = new SlowUpstream();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(slow.Upstream.EndPoint,
            clusterExtra: "limits = { max_connections = 1, max_pending_requests = 0 }"));
        using HttpClient first = proxy.CreateClient();
        using HttpClient second = proxy.CreateClient();

        Task<HttpResponseMessage> held = first.GetAsync("/held");
        await slow.WaitForRequestsAsync(1);
        HttpResponseMessage refused = await second.GetAsync("/refused");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        await Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Any(l => l.Contains("/refused -> 503 flags UO ", StringComparison.Ordinal)),
            "the refused request is logged with flags UO");
        slow.Release();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        Assert.Equal(1, slow.Upstream.Accepted);
    }

    [Fact]
    public async Task HttpProxy_MaxConnectionsReachedPendingAllowed_SecondRequestWaitsAndSucceeds()
    {
        await using var slow = new SlowUpstream();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(slow.Upstream.EndPoint,
            clusterExtra: "limits = { max_connections = 1, max_pending_requests = 1 }"));
        using HttpClient first = proxy.CreateClient();
        using HttpClient second = proxy.CreateClient();

        Task<HttpResponseMessage> held = first.GetAsync("/held");
        await slow.WaitForRequestsAsync(1);
        Task<HttpResponseMessage> waiting = second.GetAsync("/waiting");
        await Loopback.WaitUntilAsync(() => proxy.Pools.GetBudget("backend").Pending == 1, "the second request is pending");
        Assert.False(waiting.IsCompleted);

        slow.Release();

        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await waiting).StatusCode);
        Assert.Equal(1, slow.Upstream.Accepted);                   // the pending request took the freed connection
        Assert.Equal(["/held", "/waiting"], slow.Upstream.Requests.Select(r => r.Head.Target));
    }

    [Fact]
    public async Task HttpProxy_PooledConnectionIdlePastTimeout_ClosedAndNextRequestOpensNew()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            clusterExtra: """idle_timeout = "200ms" """));
        using HttpClient client = proxy.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/before")).StatusCode);
        // The pool closes the idle connection (the upstream sees its end), not the client's keep-alive.
        await Loopback.WaitUntilAsync(() => upstream.Active == 0, "the upstream sees the idle connection closed");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/after")).StatusCode);

        Assert.Equal(2, upstream.Accepted);
    }

    [Fact]
    public async Task HttpProxy_MaxIdlePerEndpointOne_SecondIdleConnectionClosedFirstReused()
    {
        await using var slow = new SlowUpstream();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(slow.Upstream.EndPoint,
            clusterExtra: "max_idle_per_endpoint = 1"));
        using HttpClient client = proxy.CreateClient(maxConnections: 2);

        // Two requests at once need two upstream connections; once both are answered only one may stay idle.
        Task<HttpResponseMessage> a = client.GetAsync("/a");
        Task<HttpResponseMessage> b = client.GetAsync("/b");
        await slow.WaitForRequestsAsync(2);
        slow.Release();
        Assert.Equal(HttpStatusCode.OK, (await a).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b).StatusCode);
        await Loopback.WaitUntilAsync(() => slow.Upstream.Active == 1, "the surplus idle connection is closed");

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/c")).StatusCode);
        Assert.Equal(2, slow.Upstream.Accepted);                   // /c reused the idle one
        Assert.Equal(1, slow.Upstream.Active);
    }

    /// <summary>An upstream that holds every request until <see cref="Release"/>, then answers 200 keep-alive.</summary>
    private sealed class SlowUpstream : IAsyncDisposable
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public SlowUpstream()
        {
            Upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
            {
                await request.ReadBodyAsync();
                Interlocked.Increment(ref _arrived);
                await _released.Task.WaitAsync(cancellationToken);
                await request.RespondAsync(200, Encoding.ASCII.GetBytes(request.Head.Target), cancellationToken);
                return true;
            });
        }

        public FakeHttpUpstream Upstream { get; }

        public Task WaitForRequestsAsync(int count) =>
            Loopback.WaitUntilAsync(() => Volatile.Read(ref _arrived) >= count, $"{count} requests reach the upstream");

        public void Release() => _released.TrySetResult();

        public ValueTask DisposeAsync()
        {
            Release();
            return Upstream.DisposeAsync();
        }
    }
}
