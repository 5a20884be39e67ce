using System.Net;
using System.Text;
using Meshy.Filters.Observability.Tracing;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Observability;

public sealed class TraceContextTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ClientSpan = "00f067aa0ba902b7";

    [Theory]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", true)]
    [InlineData("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-future", true)]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", false)]
    [InlineData("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false)]
    [InlineData("00-00000000000000000000000000000000-00f067aa0ba902b7-01", false)]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false)]
    [InlineData("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false)]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", false)]
    public void TraceParentIsValid_Value_FollowsW3c(string value, bool valid) =>
        Assert.Equal(valid, TraceParent.IsValid(Encoding.ASCII.GetBytes(value)));

    [Fact]
    public void WriteNewSpanId_Twice_SixteenLowerHexDigitsThatDiffer()
    {
        byte[] first = new byte[16];
        byte[] second = new byte[16];
        TraceParent.WriteNewSpanId(first);
        TraceParent.WriteNewSpanId(second);
        Assert.Matches("^[0-9a-f]{16}$", Encoding.ASCII.GetString(first));
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Proxy_Traceparent_UpstreamGetsSameTraceNewSpanOtherHeadersUnchanged()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using ObservabilityHarness proxy = await ObservabilityHarness.StartAsync(Config(upstream.EndPoint));
        using HttpClient client = proxy.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/traced");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{TraceId}-{ClientSpan}-01");
        request.Headers.TryAddWithoutValidation("tracestate", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
        request.Headers.TryAddWithoutValidation("x-b3-traceid", "463ac35c9f6413ad48485a3953bb6124");
        request.Headers.TryAddWithoutValidation("x-b3-spanid", "a2fb4a1d1a96d312");
        request.Headers.TryAddWithoutValidation("x-b3-parentspanid", "0020000000000001");
        request.Headers.TryAddWithoutValidation("x-b3-sampled", "1");
        request.Headers.TryAddWithoutValidation("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90");
        using HttpResponseMessage response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        HttpTestMessage received = Assert.Single(upstream.Requests).Head;
        string traceparent = Assert.Single(received.HeaderValues("traceparent"));
        string[] parts = traceparent.Split('-');
        Assert.Equal(["00", TraceId], parts[..2]);
        Assert.Matches("^[0-9a-f]{16}$", parts[2]);
        Assert.NotEqual(ClientSpan, parts[2]);
        Assert.Equal("01", parts[3]);
        Assert.Equal("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7", received.Header("tracestate"));
        Assert.Equal("463ac35c9f6413ad48485a3953bb6124", received.Header("x-b3-traceid"));
        Assert.Equal("a2fb4a1d1a96d312", received.Header("x-b3-spanid"));
        Assert.Equal("0020000000000001", received.Header("x-b3-parentspanid"));
        Assert.Equal("1", received.Header("x-b3-sampled"));
        Assert.Equal("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90", received.Header("b3"));
        Assert.Equal(36, received.Header("x-request-id")!.Length);
    }

    [Fact]
    public async Task Proxy_InvalidTraceparent_PassedOnUnchanged()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using ObservabilityHarness proxy = await ObservabilityHarness.StartAsync(Config(upstream.EndPoint));
        using HttpClient client = proxy.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/traced");
        request.Headers.TryAddWithoutValidation("traceparent", "ff-not-a-trace");
        using HttpResponseMessage response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Equal("ff-not-a-trace", Assert.Single(upstream.Requests).Head.Header("traceparent"));
    }

    private static string Config(IPEndPoint upstream) => $$"""
        [[listeners]]
        name = "web"
        address = "127.0.0.1:0"
        protocol = "http"
        routes = "web"

        [[routes]]
        name = "web"
        hosts = ["*"]

          [[routes.rules]]
          name = "default"
          match.path.prefix = "/"
          to = [{ cluster = "backend" }]

        [[clusters]]
        name = "backend"
        endpoints = [{ address = "{{upstream}}" }]
        """;
}
