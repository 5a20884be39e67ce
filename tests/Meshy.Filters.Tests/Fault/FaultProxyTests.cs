using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Meshy.Conf.Compilation;
using Meshy.Filters.Fault;
using Meshy.Filters.Tests.HttpProxy;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Fault;

/// <summary>
/// <c>fault</c> through the proxy on real sockets: aborts never reach the upstream, delays hold the request
/// under the route timeout and the client's presence, gRPC requests get gRPC answers.
/// </summary>
public sealed class FaultProxyTests
{
    [Fact]
    public async Task Abort100Percent_EveryRequestAnsweredLocallyWithFIUnderTheRuleCluster_UpstreamSeesNone()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            ruleExtra: "fault.abort = { percent = 100, status = 418 }"));
        using HttpClient client = proxy.CreateClient();

        for (int i = 0; i < 5; i++)
        {
            HttpResponseMessage response = await client.GetAsync($"/{i}");
            Assert.Equal((HttpStatusCode)418, response.StatusCode);
            Assert.Equal("fault filter abort\n", await response.Content.ReadAsStringAsync());
        }

        Assert.Empty(upstream.Requests);
        Assert.Equal(0, upstream.Accepted);
        // Counted under the destination the rule would have used (Istio's destination_service), with no endpoint.
        await AssertLoggedAsync(proxy, "-> 418 flags FI route web/default cluster backend endpoint -");
    }

    [Fact]
    public async Task Abort50Percent_2000Requests_AbortedShareWithinBinomialBounds()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            ruleExtra: "fault.abort = { percent = 50.0, status = 503 }"));
        const int Clients = 4;
        const int PerClient = 500;

        int[] aborted = await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
        {
            using HttpClient client = proxy.CreateClient();
            int count = 0;
            for (int i = 0; i < PerClient; i++)
            {
                using HttpResponseMessage response = await client.GetAsync("/");
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    count++;
                }
                else
                {
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
            }
            return count;
        }));

        // n = 2000, p = 0.5: mean 1000, sigma ≈ 22.4; ±6 sigma is [866, 1134].
        int total = aborted.Sum();
        Assert.InRange(total, 866, 1134);
        Assert.Equal(Clients * PerClient - total, upstream.Requests.Count);
    }

    [Fact]
    public async Task Delay100Percent_RequestTakesAtLeastTheDelayThenIsProxiedWithDI()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            ruleExtra: """fault.delay = { percent = 100, fixed = "300ms" }"""));
        using HttpClient client = proxy.CreateClient();

        long started = Stopwatch.GetTimestamp();
        HttpResponseMessage response = await client.GetAsync("/slow");
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // .NET timers count whole milliseconds of a coarse tick and may fire a little early: 5 ms of slack,
        // far from what a request without the delay takes.
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(295), $"answered after {elapsed.TotalMilliseconds} ms");
        Assert.Single(upstream.Requests);
        await AssertLoggedAsync(proxy, "-> 200 flags DI ");
    }

    [Fact]
    public async Task DelayLongerThanRouteTimeout_504WithUTAndDI_UpstreamSeesNothing()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            ruleExtra: """
                timeout = "200ms"
                fault.delay = { percent = 100, fixed = "30s" }
                """));
        using HttpClient client = proxy.CreateClient();

        long started = Stopwatch.GetTimestamp();
        HttpResponseMessage response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(20), "the timeout ended the delay");
        Assert.Empty(upstream.Requests);
        await AssertLoggedAsync(proxy, "-> 504 flags UT,DI ");
    }

    [Fact]
    public async Task ClientLeavesDuringDelay_RequestEndsWithDC_UpstreamNeverSeesIt()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            ruleExtra: """fault.delay = { percent = 100, fixed = "30s" }"""));

        using (Socket client = await Loopback.ConnectAsync(proxy.EndPoint()))
        {
            await Loopback.SendAllAsync(client, "GET /gone HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
            await AssertLoggedAsync(proxy, "fault injection delays the request");
        }

        await AssertLoggedAsync(proxy, "/gone -> 0 flags DI,DC ");
        Assert.Empty(upstream.Requests);
        Assert.Equal(0, upstream.Accepted);
    }

    [Fact]
    public async Task DelayThenAbort_BothApplied_FlagsDIAndFI()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            ruleExtra: """
                fault.delay = { percent = 100, fixed = "50ms" }
                fault.abort = { percent = 100, status = 500 }
                """));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Empty(upstream.Requests);
        await AssertLoggedAsync(proxy, "-> 500 flags DI,FI ");
    }

    [Theory]
    [InlineData("", "14")]
    [InlineData(", grpc_status = 8", "8")]
    public async Task GrpcRequestAborted_200WithGrpcStatusInTheHeadAndNoBody(string grpcStatus, string expected)
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            ruleExtra: $"fault.abort = {{ percent = 100, status = 503{grpcStatus} }}"));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.SendAsync(GrpcRequest("/pkg.Service/Call"));

        await AssertGrpcAnswerAsync(response, expected, "fault filter abort");
        Assert.Empty(upstream.Requests);
        await AssertLoggedAsync(proxy, "-> 200 flags FI ");
    }

    [Fact]
    public async Task GrpcRequestNoRoute_200WithGrpcStatus12()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint)
            .Replace("match.path.prefix = \"/\"", "match.path.prefix = \"/only/\"", StringComparison.Ordinal));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.SendAsync(GrpcRequest("/pkg.Service/Call"));

        await AssertGrpcAnswerAsync(response, "12", "no route matched the request");
        await AssertLoggedAsync(proxy, "-> 200 flags NR ");
    }

    [Fact]
    public async Task GrpcRequestNoEndpoint_200WithGrpcStatus14()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        string config = HttpProxyConfigs.Simple(upstream.EndPoint, clusterExtra: """subsets = [{ name = "none", labels = { version = "none" } }]""")
            .Replace("to = [{ cluster = \"backend\" }]", "to = [{ cluster = \"backend\", subset = \"none\" }]", StringComparison.Ordinal);
        await using HttpProxyHarness proxy = await StartAsync(config);
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.SendAsync(GrpcRequest("/pkg.Service/Call"));

        await AssertGrpcAnswerAsync(response, "14", "no healthy upstream");
        Assert.Empty(upstream.Requests);
        await AssertLoggedAsync(proxy, "-> 200 flags UH ");
    }

    [Fact]
    public async Task GrpcRequestDelayedPastTimeout_200WithDeadlineExceeded()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            ruleExtra: """
                timeout = "100ms"
                fault.delay = { percent = 100, fixed = "30s" }
                """));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage response = await client.SendAsync(GrpcRequest("/pkg.Service/Call"));

        await AssertGrpcAnswerAsync(response, "4", "upstream request timeout");
        await AssertLoggedAsync(proxy, "-> 200 flags UT,DI ");
    }

    private static Task<HttpProxyHarness> StartAsync(string toml) =>
        HttpProxyHarness.StartAsync(toml, logs => [new FaultFilterFactory(logs)]);

    private static HttpRequestMessage GrpcRequest(string path)
    {
        var content = new ByteArrayContent([0, 0, 0, 0, 0]);      // an empty length-prefixed message
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    }

    private static async Task AssertGrpcAnswerAsync(HttpResponseMessage response, string grpcStatus, string grpcMessage)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(grpcStatus, Assert.Single(response.Headers.GetValues("grpc-status")));
        Assert.Equal(grpcMessage, Assert.Single(response.Headers.GetValues("grpc-message")));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    private static Task AssertLoggedAsync(HttpProxyHarness proxy, string text) =>
        Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Any(line => line.Contains(text, StringComparison.Ordinal)), $"the proxy logs '{text}'");
}
