using System.Net;
using System.Net.Sockets;
using System.Text;
using Meshy.Engine.Runtime;
using Meshy.Testing;

namespace Meshy.Filters.Tests.HttpProxy;

/// <summary>
/// The life of connections on both sides: the keep-alive race with a stale pooled connection, and a
/// client that leaves while its request is still waiting for the upstream.
/// </summary>
public sealed class Http1ProxyConnectionTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HttpProxy_UpstreamClosedIdleConnection_RequestRetriedOnNewConnection(bool reset)
    {
        // Each upstream connection answers one request, then closes as the next one arrives: the close
        // crosses the proxy's reuse, which it cannot see before sending (the keep-alive race).
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            await request.RespondAsync(200, "first on this connection"u8.ToArray(), cancellationToken);
            await request.Connection.ReadHeadAsync(cancellationToken);
            if (reset)
            {
                request.Socket.LingerState = new LingerOption(true, 0);
            }
            return false;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage first = await client.GetAsync("/one");
        HttpResponseMessage second = await client.GetAsync("/two");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("first on this connection", await second.Content.ReadAsStringAsync());
        Assert.Equal(2, upstream.Accepted);
        await Loopback.WaitUntilAsync(() => CompletedLines(proxy).Count == 2, "both requests are logged");
        // The race is not an upstream failure: no UC/UR on either request.
        Assert.All(CompletedLines(proxy), line => Assert.Contains("flags - ", line, StringComparison.Ordinal));
        Assert.Contains(proxy.Logs.Lines, line => line.Contains("retrying on a new connection", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HttpProxy_UpstreamClosesAfterPostBodyStreamed_NotRetried503WithUC()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            await request.RespondAsync(200, "ok"u8.ToArray(), cancellationToken);
            // The next request (the POST) is read whole, body included, then the connection closes unanswered.
            HttpTestMessage? next = await request.Connection.ReadHeadAsync(cancellationToken);
            if (next is not null)
            {
                await request.Connection.ReadBodyAsync(next, cancellationToken: cancellationToken);
            }
            return false;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using HttpClient client = proxy.CreateClient();

        HttpResponseMessage first = await client.GetAsync("/warm");
        HttpResponseMessage post = await client.PostAsync("/pay", new ByteArrayContent(Encoding.ASCII.GetBytes("amount=10")));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
        Assert.Equal(1, upstream.Accepted);                        // no second connection: the body was gone
        await Loopback.WaitUntilAsync(() => CompletedLines(proxy).Any(line => line.Contains("flags UC ", StringComparison.Ordinal)),
            "the POST is logged with flags UC");
        Assert.DoesNotContain(proxy.Logs.Lines, line => line.Contains("retrying on a new connection", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HttpProxy_ClientLeavesAfterSendingBody_UpstreamRequestCancelledWithDC()
    {
        var bodyArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var upstreamSawClose = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, _) =>
        {
            await request.ReadBodyAsync();
            bodyArrived.TrySetResult();
            // Never answers: only the proxy giving up ends this.
            upstreamSawClose.TrySetResult(await Loopback.WaitForCloseAsync(request.Socket, TimeSpan.FromSeconds(30)));
            return false;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        await Loopback.SendAllAsync(client, "POST /slow HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"u8.ToArray());
        await bodyArrived.Task.WaitAsync(Loopback.DefaultTimeout);

        client.Dispose();

        Assert.True(await upstreamSawClose.Task.WaitAsync(Loopback.DefaultTimeout));
        await Loopback.WaitUntilAsync(() => CompletedLines(proxy).Any(line => line.Contains("flags DC ", StringComparison.Ordinal)),
            "the request is logged with flags DC");
        Assert.Equal("hello", Encoding.ASCII.GetString(upstream.Requests[0].Body!));
    }

    [Fact]
    public async Task HttpProxy_PostThenPipelinedGetInOneWrite_BothAnsweredInOrder()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);

        // While the POST waits for its answer the client's side is watched; the GET behind it must survive that.
        await Loopback.SendAllAsync(client, "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());

        // Once, in CI, the connection closed before the first answer; if it happens again, the proxy's log says why.
        await proxy.ExplainFailureAsync(async () =>
        {
            (HttpTestMessage postHead, byte[] postBody) = await connection.ReadResponseAsync();
            (HttpTestMessage getHead, byte[] getBody) = await connection.ReadResponseAsync();
            Assert.Equal(200, postHead.Status);
            Assert.Equal("POST /a len=3", Encoding.ASCII.GetString(postBody));
            Assert.Equal(200, getHead.Status);
            Assert.Equal("GET /b len=0", Encoding.ASCII.GetString(getBody));
        });
        Assert.Equal(1, upstream.Accepted);
    }

    [Fact]
    public async Task HttpProxy_ListenerDrainsMidRequest_ResponseSaysCloseThenConnectionCloses()
    {
        var requestArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            requestArrived.TrySetResult();
            await release.Task.WaitAsync(cancellationToken);
            await request.RespondAsync(200, "done"u8.ToArray(), cancellationToken);
            return true;
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);
        await Loopback.SendAllAsync(client, "GET /in-flight HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        await requestArrived.Task.WaitAsync(Loopback.DefaultTimeout);

        // A reload without the listener: it stops accepting and its connections drain.
        ProxySnapshot current = proxy.Listeners.Holder.Current;
        await proxy.Listeners.ReloadAsync(new ProxySnapshot
        {
            Source = current.Source,
            LoadedAt = DateTimeOffset.UtcNow,
            Runtime = current.Runtime,
            Listeners = [],
            Clusters = current.Clusters,
            ConfigJson = current.ConfigJson,
        });
        release.TrySetResult();

        (HttpTestMessage head, byte[] body) = await connection.ReadResponseAsync();
        Assert.Equal(200, head.Status);
        Assert.Equal("done", Encoding.ASCII.GetString(body));
        Assert.Equal("close", head.Header("connection"));
        Assert.True(await Loopback.WaitForCloseAsync(client));
    }

    private static List<string> CompletedLines(HttpProxyHarness proxy) =>
        proxy.Logs.Lines.Where(line => line.Contains(" -> ", StringComparison.Ordinal) && line.Contains(" flags ", StringComparison.Ordinal)).ToList();
}
