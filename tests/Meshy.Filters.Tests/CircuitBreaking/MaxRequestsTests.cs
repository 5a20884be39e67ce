using System.Net;
using System.Net.Sockets;
using Meshy.Engine.Upstream.CircuitBreaking;
using Meshy.Filters.Tests.HttpProxy;
using Meshy.Filters.Tests.Retries;
using Meshy.Testing;

namespace Meshy.Filters.Tests.CircuitBreaking;

/// <summary>
/// <c>limits</c> through the proxy on real sockets: <c>max_requests</c> refuses at once past the limit and
/// gives its slot back however the request ended; every overflow is counted under its limit.
/// </summary>
public sealed class MaxRequestsTests
{
    [Fact]
    public async Task MaxRequests_OneInFlight_ConcurrentOthersFail503UOAtOnceWithoutReachingUpstream()
    {
        await using var gated = new GatedUpstream();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(gated.Upstream.EndPoint,
            clusterExtra: "limits = { max_requests = 1 }"));
        using HttpClient holder = proxy.CreateClient();
        using HttpClient others = proxy.CreateClient(maxConnections: 5);

        Task<HttpResponseMessage> held = holder.GetAsync("/held");
        await gated.WaitForRequestsAsync(1);
        // While the first request is held, the others must be answered: they are refused, never queued.
        HttpResponseMessage[] refused = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => others.GetAsync($"/refused/{i}")));

        Assert.All(refused, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode));
        Assert.False(held.IsCompleted);
        Assert.Equal(1, gated.Arrived);
        await Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Count(l => l.Contains("/refused/", StringComparison.Ordinal) && l.Contains("-> 503 flags UO ", StringComparison.Ordinal)) == 5,
            "every refused request is logged with flags UO");
        ClusterCircuitBreaker breaker = proxy.Breakers.Get("backend");
        Assert.Equal(5, breaker.Overflows(CircuitBreakerLimit.MaxRequests));
        Assert.Equal(0, breaker.Overflows(CircuitBreakerLimit.MaxPendingRequests));

        gated.Open();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        // The slot came back with the response: the next request goes through.
        await Loopback.WaitUntilAsync(() => breaker.RequestsInFlight == 0, "the slot is released after the response");
        Assert.Equal(HttpStatusCode.OK, (await others.GetAsync("/after")).StatusCode);
        // The client can read the response before the proxy has finished the exchange and given the slot back.
        await Loopback.WaitUntilAsync(() => breaker.RequestsInFlight == 0, "the slot is released after the second response");
    }

    [Fact]
    public async Task MaxRequests_UpstreamFailsBeforeAnswering_SlotReleasedAndNextRequestSucceeds()
    {
        int seen = 0;
        await using FakeHttpUpstream flaky = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            if (Interlocked.Increment(ref seen) == 1)
            {
                return false;                                       // close without an answer: 503 UC
            }
            await request.RespondAsync(200, "ok"u8.ToArray(), cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(flaky.EndPoint,
            clusterExtra: "limits = { max_requests = 1 }"));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage failed = await client.GetAsync("/fails");
        HttpResponseMessage next = await client.GetAsync("/next");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(2, Volatile.Read(ref seen));
        ClusterCircuitBreaker breaker = proxy.Breakers.Get("backend");
        Assert.Equal(0, breaker.Overflows(CircuitBreakerLimit.MaxRequests));
        await Loopback.WaitUntilAsync(() => breaker.RequestsInFlight == 0, "no slot is held after both requests");
    }

    [Fact]
    public async Task MaxRequests_ClientLeavesWhileUpstreamHoldsRequest_SlotReleasedAndNextRequestSucceeds()
    {
        await using var gated = new GatedUpstream();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(gated.Upstream.EndPoint,
            clusterExtra: "limits = { max_requests = 1 }"));
        ClusterCircuitBreaker breaker = proxy.Breakers.Get("backend");

        using (Socket client = await Loopback.ConnectAsync(proxy.EndPoint()))
        {
            await Loopback.SendAllAsync(client, "GET /abandoned HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
            await gated.WaitForRequestsAsync(1);
            Assert.Equal(1, breaker.RequestsInFlight);
        }

        await Loopback.WaitUntilAsync(() => breaker.RequestsInFlight == 0, "the slot is released when the client leaves");
        gated.Open();
        using HttpClient next = proxy.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await next.GetAsync("/next")).StatusCode);
        Assert.Equal(0, breaker.Overflows(CircuitBreakerLimit.MaxRequests));
    }

    [Fact]
    public async Task MaxRequests_LimitRaisedByReload_InFlightCountCarriesOverAndNewLimitApplies()
    {
        await using var gated = new GatedUpstream();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(gated.Upstream.EndPoint,
            clusterExtra: "limits = { max_requests = 1 }"));
        using HttpClient before = proxy.CreateClient();
        Task<HttpResponseMessage> first = before.GetAsync("/first");
        await gated.WaitForRequestsAsync(1);

        await proxy.ReloadAsync(HttpProxyConfigs.Simple(gated.Upstream.EndPoint, clusterExtra: "limits = { max_requests = 2 }"));
        using HttpClient after = proxy.CreateClient(maxConnections: 2);
        Task<HttpResponseMessage> second = after.GetAsync("/second");
        await gated.WaitForRequestsAsync(2);
        HttpResponseMessage third = await after.GetAsync("/third");

        // The request of the old snapshot still counts: 2 in flight under the new limit of 2.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        ClusterCircuitBreaker breaker = proxy.Breakers.Get("backend");
        Assert.Equal(2, breaker.RequestsInFlight);
        Assert.Equal(1, breaker.Overflows(CircuitBreakerLimit.MaxRequests));
        gated.Open();
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second).StatusCode);
        await Loopback.WaitUntilAsync(() => breaker.RequestsInFlight == 0, "every slot is back");
    }

    [Fact]
    public async Task MaxRequests_WebSocketTunnel_HoldsSlotWhileOpenAndReleasesItWhenClosed()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.SendAsync("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", cancellationToken);
            await FakeUpstream.EchoAsync(request.Socket, cancellationToken);
            return false;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            clusterExtra: "limits = { max_requests = 1 }"));
        ClusterCircuitBreaker breaker = proxy.Breakers.Get("backend");
        using Socket tunnel = await Loopback.ConnectAsync(proxy.EndPoint());
        await Loopback.SendAllAsync(tunnel, "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"u8.ToArray());
        Assert.Equal(101, (await new HttpTestConnection(tunnel).ReadHeadAsync())?.Status);
        using HttpClient client = proxy.CreateClient();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/while-open")).StatusCode);
        Assert.Equal(1, breaker.RequestsInFlight);

        tunnel.Shutdown(SocketShutdown.Send);
        Assert.True(await Loopback.WaitForCloseAsync(tunnel));
        await Loopback.WaitUntilAsync(() => breaker.RequestsInFlight == 0, "the tunnel's slot is released when it ends");
        using Socket next = await Loopback.ConnectAsync(proxy.EndPoint());
        await Loopback.SendAllAsync(next, "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"u8.ToArray());
        Assert.Equal(101, (await new HttpTestConnection(next).ReadHeadAsync())?.Status);
    }

    [Fact]
    public async Task PoolOverflow_NoConnectionAndNoPendingRoom_CountedAsMaxPendingRequestsAndMaxConnections()
    {
        await using var gated = new GatedUpstream();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(gated.Upstream.EndPoint,
            clusterExtra: "limits = { max_connections = 1, max_pending_requests = 0 }"));
        using HttpClient first = proxy.CreateClient();
        using HttpClient second = proxy.CreateClient();

        Task<HttpResponseMessage> held = first.GetAsync("/held");
        await gated.WaitForRequestsAsync(1);
        HttpResponseMessage refused = await second.GetAsync("/refused");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        ClusterCircuitBreaker breaker = proxy.Breakers.Get("backend");
        Assert.Equal(1, breaker.Overflows(CircuitBreakerLimit.MaxPendingRequests));
        Assert.Equal(1, breaker.Overflows(CircuitBreakerLimit.MaxConnections));   // the limit kept a new connection from opening
        Assert.Equal(0, breaker.Overflows(CircuitBreakerLimit.MaxRequests));
        gated.Open();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
    }

    [Fact]
    public async Task RetryOverflow_NoRetryRoom_CountedAsMaxRetries()
    {
        await using FakeHttpUpstream first = FakeHttpUpstream.Start(Always503);
        await using FakeHttpUpstream second = FakeHttpUpstream.Start(Always503);
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(RetryConfigs.Retrying(
            """{ attempts = 2, on = ["503"] }""", [first.EndPoint, second.EndPoint], clusterExtra: "limits = { max_retries = 0 }"));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        ClusterCircuitBreaker breaker = proxy.Breakers.Get("backend");
        Assert.Equal(1, breaker.Overflows(CircuitBreakerLimit.MaxRetries));
        Assert.Equal(0, breaker.RetriesInFlight);
        Assert.Equal(1, first.Requests.Count + second.Requests.Count);
    }

    [Fact]
    public async Task MaxRequests_ManyConcurrentRequests_NeverMoreThanTheLimitReachTheUpstream()
    {
        int inFlight = 0;
        int peak = 0;
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref peak, now);
            await Task.Delay(20, cancellationToken);
            Interlocked.Decrement(ref inFlight);
            await request.RespondAsync(200, "ok"u8.ToArray(), cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            clusterExtra: "limits = { max_requests = 3 }"));
        using HttpClient client = proxy.CreateClient(maxConnections: 12);

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 120).Select(i => client.GetAsync($"/{i}")));

        int ok = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        int refused = responses.Count(r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        Assert.Equal(120, ok + refused);
        Assert.InRange(Volatile.Read(ref peak), 1, 3);
        Assert.Equal(ok, upstream.Requests.Count);
        Assert.Equal(refused, proxy.Breakers.Get("backend").Overflows(CircuitBreakerLimit.MaxRequests));
        await Loopback.WaitUntilAsync(() => proxy.Breakers.Get("backend").RequestsInFlight == 0, "every slot is back");
    }

    private static async Task<bool> Always503(FakeHttpRequest request, CancellationToken cancellationToken)
    {
        await request.ReadBodyAsync();
        await request.RespondAsync(503, [], cancellationToken);
        return true;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
