using Meshy.Bench.Load.Processes;
using Meshy.Bench.Load.Proxies;
using Meshy.Testing;

namespace Meshy.Cli.Tests.Bench;

/// <summary>
/// The peers as the load suite configures them do the job Meshy does on every request: they append the client to
/// X-Forwarded-For, set X-Forwarded-Proto, and add an X-Request-ID unless the client sent one. Run bare, they add none.
/// </summary>
public sealed class PeerForwardingTests
{
    [PeerFact("haproxy")]
    public Task Haproxy_AddsTheForwardingHeadersMeshyAdds() => AddsForwardingHeadersAsync(new HaproxyLauncher(), forward: true);

    [PeerFact("nginx")]
    public Task Nginx_AddsTheForwardingHeadersMeshyAdds() => AddsForwardingHeadersAsync(new NginxLauncher(), forward: true);

    [PeerFact("haproxy")]
    public Task Haproxy_Bare_AddsNone() => AddsForwardingHeadersAsync(new HaproxyLauncher(), forward: false);

    [PeerFact("nginx")]
    public Task Nginx_Bare_AddsNone() => AddsForwardingHeadersAsync(new NginxLauncher(), forward: false);

    private static async Task AddsForwardingHeadersAsync(IProxyLauncher peer, bool forward)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.RespondAsync(200, "ok"u8.ToArray(), cancellationToken);
            return true;
        });
        string directory = Directory.CreateTempSubdirectory("meshy-peer-forwarding-").FullName;
        try
        {
            var launch = new ProxyLaunch(ProxyMode.Http1, upstream.EndPoint, FreePort.Next(), directory, Cpu: 0, PeersForward: forward);
            await using RunningProxy proxy = await peer.StartAsync(launch, timeout.Token);
            await proxy.WaitReadyAsync(TimeSpan.FromSeconds(20), timeout.Token);
            using var client = new HttpClient();
            string url = $"http://{proxy.Endpoint}/";
            int before = upstream.Requests.Count;

            (await client.GetAsync(url, timeout.Token)).EnsureSuccessStatusCode();
            using var withId = new HttpRequestMessage(HttpMethod.Get, url);
            withId.Headers.Add("X-Request-ID", "client-chose-this-id");
            withId.Headers.Add("X-Forwarded-For", "192.0.2.7");
            (await client.SendAsync(withId, timeout.Token)).EnsureSuccessStatusCode();
            (await client.GetAsync(url, timeout.Token)).EnsureSuccessStatusCode();

            HttpTestMessage first = upstream.Requests[before].Head;
            HttpTestMessage second = upstream.Requests[before + 1].Head;
            HttpTestMessage third = upstream.Requests[before + 2].Head;
            if (!forward)
            {
                Assert.Null(first.Header("X-Forwarded-For"));
                Assert.Null(first.Header("X-Forwarded-Proto"));
                Assert.Null(first.Header("X-Request-ID"));
                return;
            }
            Assert.Equal("127.0.0.1", first.Header("X-Forwarded-For"));
            Assert.Equal("http", first.Header("X-Forwarded-Proto"));
            string generated = Assert.Single(first.HeaderValues("X-Request-ID"));
            Assert.Matches("^[0-9a-fA-F-]{20,36}$", generated);
            Assert.NotEqual(generated, Assert.Single(third.HeaderValues("X-Request-ID")));
            Assert.Equal("client-chose-this-id", Assert.Single(second.HeaderValues("X-Request-ID")));
            // The client appended to the list the request came with (one line or two: the same list, RFC 9110 §5.3).
            Assert.Equal("192.0.2.7, 127.0.0.1", string.Join(", ", second.HeaderValues("X-Forwarded-For")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
