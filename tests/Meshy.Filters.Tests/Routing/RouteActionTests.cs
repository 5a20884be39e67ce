using System.Net;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Routing;

/// <summary>Header edits, rewrite, redirect, respond and ring-hash keys, through the proxy.</summary>
public sealed class RouteActionTests
{
    private static string Config(IPEndPoint upstream, string rules, string clusterExtra = "") => $$"""
        [[listeners]]
        name = "web"
        address = "127.0.0.1:0"
        protocol = "http"
        routes = "web"

        [[routes]]
        name = "web"
        {{rules}}

        [[clusters]]
        name = "backend"
        endpoints = [{ address = "{{upstream}}" }]
        {{clusterExtra}}
        """;

    private static FakeHttpUpstream Upstream() => FakeHttpUpstream.Start(async (request, cancellationToken) =>
    {
        await request.ReadBodyAsync();
        await request.RespondAsync(200, "ok"u8.ToArray(), cancellationToken, ("x-upstream", "1"), ("x-drop", "secret"), ("x-multi", "a"));
        return true;
    });

    [Fact]
    public async Task HeadersRequest_SetAddRemove_UpstreamSeesEdits()
    {
        await using FakeHttpUpstream upstream = Upstream();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(upstream.EndPoint, """
              [[routes.rules]]
              headers.request.set = { x-mesh = "meshy", x-replace = "new" }
              headers.request.add = { x-added = "two" }
              headers.request.remove = ["x-secret"]
              to = [{ cluster = "backend" }]
            """));
        using HttpClient client = proxy.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/h");
        request.Headers.Add("x-replace", ["old1", "old2"]);
        request.Headers.Add("x-added", "one");
        request.Headers.Add("x-secret", "s");
        using HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        HttpTestMessage seen = Assert.Single(upstream.Requests).Head;
        Assert.Equal("meshy", seen.Header("x-mesh"));
        Assert.Equal(["new"], seen.HeaderValues("x-replace"));
        Assert.Equal(["one", "two"], seen.HeaderValues("x-added").SelectMany(v => v.Split(", ")));
        Assert.Null(seen.Header("x-secret"));
    }

    [Fact]
    public async Task HeadersResponse_SetAddRemove_ClientSeesEdits()
    {
        await using FakeHttpUpstream upstream = Upstream();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(upstream.EndPoint, """
              [[routes.rules]]
              headers.response.set = { x-upstream = "overridden" }
              headers.response.add = { x-multi = "b" }
              headers.response.remove = ["x-drop"]
              to = [{ cluster = "backend" }]
            """));
        using HttpClient client = proxy.CreateClient();
        using HttpResponseMessage response = await client.GetAsync("/");

        Assert.Equal(["overridden"], response.Headers.GetValues("x-upstream"));
        Assert.Equal(["a", "b"], response.Headers.GetValues("x-multi"));
        Assert.False(response.Headers.Contains("x-drop"));
    }

    [Theory]
    [InlineData("/api/users?id=1", "/v2/users?id=1")]
    [InlineData("/api/", "/v2/")]
    public async Task RewritePrefix_MatchedByPrefix_ReplacesMatchedPart(string target, string expected)
    {
        await using FakeHttpUpstream upstream = Upstream();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(upstream.EndPoint, """
              [[routes.rules]]
              match.path.prefix = "/api/"
              rewrite = { prefix = "/v2/", host = "internal.svc:8080" }
              to = [{ cluster = "backend" }]
            """));
        using HttpClient client = proxy.CreateClient();
        using HttpResponseMessage response = await client.GetAsync(target);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        HttpTestMessage seen = Assert.Single(upstream.Requests).Head;
        Assert.Equal(expected, seen.Target);
        Assert.Equal("internal.svc:8080", seen.Header("host"));
    }

    [Fact]
    public async Task RewritePrefix_MatchedOtherwise_ReplacesWholePath()
    {
        await using FakeHttpUpstream upstream = Upstream();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(upstream.EndPoint, """
              [[routes.rules]]
              match.path.regex = '/old/[a-z]+'
              rewrite = { prefix = "/new" }
              to = [{ cluster = "backend" }]
            """));
        using HttpClient client = proxy.CreateClient();
        using HttpResponseMessage response = await client.GetAsync("/old/page?q=1");

        Assert.Equal("/new?q=1", Assert.Single(upstream.Requests).Head.Target);
    }

    [Theory]
    [InlineData("""redirect = { scheme = "https" }""", "/a/b?x=1", 301, "https://shop.example.com/a/b?x=1")]
    [InlineData("""redirect = { host = "new.example.com", status = 308 }""", "/a", 308, "http://new.example.com:8080/a")]
    [InlineData("""redirect = { scheme = "https", port = 8443, path = "/login" }""", "/a?next=1", 301, "https://shop.example.com:8443/login?next=1")]
    [InlineData("""redirect = { prefix = "/v2/", status = 302 }""", "/v1/items", 302, "http://shop.example.com:8080/v2/items")]
    [InlineData("""redirect = { port = 80 }""", "/", 301, "http://shop.example.com/")]
    public async Task Redirect_BuildsLocationFromRequest(string redirect, string target, int status, string location)
    {
        await using FakeHttpUpstream upstream = Upstream();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(upstream.EndPoint, $$"""
              [[routes.rules]]
              match.path.prefix = "/v1/"
              redirect = { prefix = "/v2/", status = 302 }
              [[routes.rules]]
              {{(redirect.Contains("prefix", StringComparison.Ordinal) ? "match.path.prefix = \"/nothing\"" : "")}}
              {{redirect}}
              headers.response.set = { x-from = "meshy" }
            """));
        using HttpClient client = proxy.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.Host = "shop.example.com:8080";
        using HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(location, response.Headers.Location!.OriginalString);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Redirect_ResponseHeaders_Applied()
    {
        await using FakeHttpUpstream upstream = Upstream();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(upstream.EndPoint, """
              [[routes.rules]]
              redirect = { scheme = "https" }
              headers.response.set = { x-from = "meshy" }
            """));
        using HttpClient client = proxy.CreateClient();
        using HttpResponseMessage response = await client.GetAsync("/x");

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal(["meshy"], response.Headers.GetValues("x-from"));
        Assert.Equal(0, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Respond_BodyWithoutContentType_TextPlainAndHeaders()
    {
        await using FakeHttpUpstream upstream = Upstream();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(upstream.EndPoint, """
              [[routes.rules]]
              match.path.exact = "/healthz"
              respond = { status = 200, body = "ok", headers = { x-direct = "yes" } }
              [[routes.rules]]
              match.path.exact = "/json"
              respond = { status = 418, body = "{}", headers = { content-type = "application/json" } }
              [[routes.rules]]
              respond = { status = 204 }
            """));
        using HttpClient client = proxy.CreateClient();

        using HttpResponseMessage plain = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal("ok", await plain.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", plain.Content.Headers.ContentType!.MediaType);
        Assert.Equal(["yes"], plain.Headers.GetValues("x-direct"));

        using HttpResponseMessage json = await client.GetAsync("/json");
        Assert.Equal(418, (int)json.StatusCode);
        Assert.Equal(["application/json"], json.Content.Headers.GetValues("content-type"));

        using HttpResponseMessage empty = await client.GetAsync("/other");
        Assert.Equal(HttpStatusCode.NoContent, empty.StatusCode);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task NoRuleMatches_404()
    {
        await using FakeHttpUpstream upstream = Upstream();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(upstream.EndPoint, """
              [[routes.rules]]
              match.headers.x-user.exact = "alice"
              to = [{ cluster = "backend" }]
            """));
        using HttpClient client = proxy.CreateClient();
        using HttpResponseMessage response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task RingHash_HeaderKey_SameUserSameEndpoint()
    {
        FakeHttpUpstream[] upstreams = [Upstream(), Upstream(), Upstream()];
        try
        {
            string toml = $$"""
                [[listeners]]
                name = "web"
                address = "127.0.0.1:0"
                protocol = "http"
                routes = "web"

                [[routes]]
                name = "web"
                  [[routes.rules]]
                  to = [{ cluster = "ring" }]

                [[clusters]]
                name = "ring"
                lb = "ring_hash"
                hash_on = "header:x-user"
                endpoints = [{{HttpProxyHarnessEndpoints(upstreams)}}]
                """;
            await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(toml);
            using HttpClient client = proxy.CreateClient();
            for (int user = 0; user < 20; user++)
            {
                for (int repeat = 0; repeat < 3; repeat++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"/u{user}");
                    request.Headers.Add("x-user", $"user-{user}");
                    using HttpResponseMessage response = await client.SendAsync(request);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
            }
            // Each user's three requests landed on one backend; 20 users spread over more than one.
            for (int user = 0; user < 20; user++)
            {
                Assert.Single(upstreams, u => u.Requests.Any(r => r.Head.Target == $"/u{user}"));
            }
            Assert.True(upstreams.Count(u => u.Requests.Count > 0) > 1);
        }
        finally
        {
            foreach (FakeHttpUpstream upstream in upstreams)
            {
                await upstream.DisposeAsync();
            }
        }
    }

    private static string HttpProxyHarnessEndpoints(FakeHttpUpstream[] upstreams) =>
        string.Join(", ", upstreams.Select(u => $"{{ address = \"{u.EndPoint}\" }}"));
}
