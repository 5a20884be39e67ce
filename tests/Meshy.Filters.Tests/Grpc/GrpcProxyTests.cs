using System.Diagnostics;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Meshy.Filters.Tests.HttpProxy;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Grpc;

/// <summary>
/// gRPC end to end (#4): Grpc.Net.Client → the proxy over h2c (prior knowledge) → a Grpc.AspNetCore
/// backend on Kestrel h2c, through a <c>clusters[].protocol = "http2"</c> cluster.
/// </summary>
public sealed class GrpcProxyTests
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private static string Config(IPEndPoint backend) =>
        HttpProxyConfigs.Simple(backend, clusterExtra: "protocol = \"http2\"");

    private static GrpcChannel Channel(HttpProxyHarness proxy) =>
        GrpcChannel.ForAddress(proxy.BaseUri(), new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = false },
        });

    private static DateTime Deadline() => DateTime.UtcNow + CallTimeout;

    [Fact]
    public async Task Grpc_Unary_MessagesHeadersAndTrailersRoundTrip()
    {
        await using GrpcEchoBackend backend = await GrpcEchoBackend.StartAsync();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint));
        using GrpcChannel channel = Channel(proxy);
        var client = new Echo.EchoClient(channel);

        using AsyncUnaryCall<EchoReply> call = client.UnaryAsync(new EchoRequest { Text = "hello", Number = 7 },
            new Metadata { { "x-client-header", "from-client" } }, Deadline());
        Metadata headers = await call.ResponseHeadersAsync;
        EchoReply reply = await call.ResponseAsync;

        Assert.Equal("hello|from-client", reply.Text);
        Assert.Equal(7, reply.Number);
        Assert.Equal("head", headers.GetValue("x-echo-header"));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("tail-7", call.GetTrailers().GetValue("x-echo-trailer"));
    }

    [Fact]
    public async Task Grpc_ServerStreaming_AllMessagesArriveInOrderWithStatusOk()
    {
        await using GrpcEchoBackend backend = await GrpcEchoBackend.StartAsync();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint));
        using GrpcChannel channel = Channel(proxy);
        var client = new Echo.EchoClient(channel);

        using AsyncServerStreamingCall<EchoReply> call = client.ServerStream(new EchoRequest { Text = "item", Count = 200 }, deadline: Deadline());
        var numbers = new List<int>();
        await foreach (EchoReply reply in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal("item", reply.Text);
            numbers.Add(reply.Number);
        }

        Assert.Equal(Enumerable.Range(0, 200), numbers);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Grpc_ClientStreaming_ServerSumsEveryMessage()
    {
        await using GrpcEchoBackend backend = await GrpcEchoBackend.StartAsync();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint));
        using GrpcChannel channel = Channel(proxy);
        var client = new Echo.EchoClient(channel);

        using AsyncClientStreamingCall<EchoRequest, EchoReply> call = client.ClientStream(deadline: Deadline());
        for (int i = 1; i <= 100; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Number = i });
        }
        await call.RequestStream.CompleteAsync();
        EchoReply reply = await call.ResponseAsync;

        Assert.Equal(100, reply.Count);
        Assert.Equal(5050, reply.Number);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Grpc_BidiStreaming_EachReplyArrivesBeforeTheNextRequest()
    {
        await using GrpcEchoBackend backend = await GrpcEchoBackend.StartAsync();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint));
        using GrpcChannel channel = Channel(proxy);
        var client = new Echo.EchoClient(channel);

        // Ping-pong: the next ping is written only once its pong is read, so a proxy holding back either
        // direction (buffering a request body, or response DATA frames) stalls the call until its deadline.
        using AsyncDuplexStreamingCall<EchoRequest, EchoReply> call = client.Bidi(deadline: Deadline());
        for (int i = 0; i < 20; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = $"ping {i}", Number = i });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), $"pong {i} arrives");
            Assert.Equal($"pong ping {i}", call.ResponseStream.Current.Text);
            Assert.Equal(i, call.ResponseStream.Current.Number);
        }
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Grpc_DeadlineShorterThanTheCall_DeadlineExceededAndBackendCancelled()
    {
        await using GrpcEchoBackend backend = await GrpcEchoBackend.StartAsync();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint));
        using GrpcChannel channel = Channel(proxy);
        var client = new Echo.EchoClient(channel);
        var clock = Stopwatch.StartNew();

        using AsyncUnaryCall<EchoReply> call = client.SlowAsync(new EchoRequest(), deadline: DateTime.UtcNow.AddMilliseconds(200));
        RpcException error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        // The Slow method answers after 5 s; the bound is far from both 200 ms and 5 s.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(4));
        // The backend saw the call end early too: grpc-timeout crossed the proxy, or the client's RST_STREAM did.
        await backend.SlowCancelled.WaitAsync(TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task Grpc_ServerErrorStatus_ArrivesUnchanged()
    {
        await using GrpcEchoBackend backend = await GrpcEchoBackend.StartAsync();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(Config(backend.EndPoint));
        using GrpcChannel channel = Channel(proxy);
        var client = new Echo.EchoClient(channel);

        using AsyncUnaryCall<EchoReply> call = client.FailAsync(new EchoRequest { Text = "no such item: 42/é" }, deadline: Deadline());
        RpcException error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("no such item: 42/é", error.Status.Detail);
    }

    [Fact]
    public async Task Grpc_NoRouteForPath_UnimplementedFromProxyLocalReply()
    {
        await using GrpcEchoBackend backend = await GrpcEchoBackend.StartAsync();
        string config = Config(backend.EndPoint).Replace("match.path.prefix = \"/\"", "match.path.prefix = \"/other.Service/\"", StringComparison.Ordinal);
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(config);
        using GrpcChannel channel = Channel(proxy);
        var client = new Echo.EchoClient(channel);

        using AsyncUnaryCall<EchoReply> call = client.UnaryAsync(new EchoRequest { Text = "lost" }, deadline: Deadline());
        RpcException error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        // A gRPC status, not an HTTP error: Grpc.Net.Client maps a bare HTTP 404 to Unimplemented as well, but
        // then says "Bad gRPC response. HTTP status code: 404"; here grpc-status 12 came in a trailers-only reply.
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Equal("no route matched the request", error.Status.Detail);
        Assert.Equal(0, backend.Requests);
        await Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Any(l => l.Contains("/meshy.test.Echo/Unary -> 200 flags NR ", StringComparison.Ordinal)),
            "the call is logged as a local 200 with flags NR");
    }
}
