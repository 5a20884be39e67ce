using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Observability;

/// <summary>
/// Istio's gRPC labels on proxied answers: <c>request_protocol="grpc"</c> for gRPC requests and
/// <c>grpc_response_status</c> from the upstream's <c>grpc-status</c>, in its trailers or in a trailers-only head,
/// over either HTTP version downstream.
/// </summary>
public sealed class GrpcTelemetryTests
{
    private const string Trailers = "HTTP/1.1 200 OK\r\ncontent-type: application/grpc\r\ntransfer-encoding: chunked\r\n\r\n"
        + "5\r\n\0\0\0\0\0\r\n0\r\ngrpc-status: 5\r\ngrpc-message: not found\r\n\r\n";

    private const string TrailersOnly = "HTTP/1.1 200 OK\r\ncontent-type: application/grpc\r\ngrpc-status: 7\r\ncontent-length: 0\r\n\r\n";

    [Theory]
    [InlineData("1.1", "/api/trailers", "5")]
    [InlineData("2.0", "/api/trailers", "5")]
    [InlineData("1.1", "/api/trailers-only", "7")]
    [InlineData("2.0", "/api/trailers-only", "7")]
    public async Task GrpcRequest_UpstreamSendsGrpcStatus_RecordedAsGrpcWithThatStatus(string version, string path, string grpcStatus)
    {
        await using Proxy proxy = await Proxy.StartAsync();
        using HttpClient client = proxy.Harness.CreateClient();

        using HttpResponseMessage response = await client.SendAsync(Request(path, "application/grpc", version));
        await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        PrometheusText metrics = await proxy.RecordedAsync(1);
        Assert.Equal(1, metrics.Single("istio_requests_total", ("request_protocol", "grpc"), ("destination_service", "backend"),
            ("response_code", "200"), ("grpc_response_status", grpcStatus), ("response_flags", "-")));
    }

    [Fact]
    public async Task PlainRequest_UpstreamSendsGrpcStatus_RecordedAsHttpWithoutGrpcStatus()
    {
        await using Proxy proxy = await Proxy.StartAsync();
        using HttpClient client = proxy.Harness.CreateClient();

        using HttpResponseMessage response = await client.SendAsync(Request("/api/trailers", "text/plain", "1.1"));
        await response.Content.ReadAsByteArrayAsync();

        PrometheusText metrics = await proxy.RecordedAsync(1);
        Assert.Equal(1, metrics.Single("istio_requests_total", ("request_protocol", "http"), ("response_code", "200"), ("grpc_response_status", "")));
    }

    private static HttpRequestMessage Request(string path, string contentType, string version)
    {
        var content = new ByteArrayContent([0, 0, 0, 0, 0]);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = content,
            Version = Version.Parse(version),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    /// <summary>The mixed observability config over a backend that answers in gRPC's two shapes.</summary>
    private sealed class Proxy : IAsyncDisposable
    {
        private readonly FakeHttpUpstream _backend;
        private readonly Socket _refusing;
        private readonly FakeUpstream _echo;

        private Proxy(FakeHttpUpstream backend, Socket refusing, FakeUpstream echo, ObservabilityHarness harness)
        {
            _backend = backend;
            _refusing = refusing;
            _echo = echo;
            Harness = harness;
        }

        public ObservabilityHarness Harness { get; }

        public static async Task<Proxy> StartAsync()
        {
            FakeHttpUpstream backend = FakeHttpUpstream.Start(async (request, cancellationToken) =>
            {
                await request.ReadBodyAsync();
                await request.SendAsync(request.Head.Target == "/api/trailers" ? Trailers : TrailersOnly, cancellationToken);
                return true;
            });
            Socket refusing = Loopback.BindRefusing();
            FakeUpstream echo = FakeUpstream.Echo();
            ObservabilityHarness harness = await ObservabilityHarness.StartAsync(
                ObservabilityConfigs.Mixed(backend.EndPoint, (IPEndPoint)refusing.LocalEndPoint!, echo.EndPoint, accessLog: ""));
            return new Proxy(backend, refusing, echo, harness);
        }

        /// <summary>The scrape once <paramref name="requests"/> requests are recorded (recording follows the response).</summary>
        public async Task<PrometheusText> RecordedAsync(int requests)
        {
            PrometheusText metrics = null!;
            await Loopback.WaitUntilAsync(() =>
            {
                metrics = Harness.ScrapeAsync().GetAwaiter().GetResult();
                return metrics.Where("istio_requests_total").Sum(s => s.Value) == requests;
            }, $"{requests} request(s) recorded");
            return metrics;
        }

        public async ValueTask DisposeAsync()
        {
            await Harness.DisposeAsync();
            await _echo.DisposeAsync();
            _refusing.Dispose();
            await _backend.DisposeAsync();
        }
    }
}
