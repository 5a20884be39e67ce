using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Meshy.Testing;

namespace Meshy.Integration.Tests;

/// <summary><c>meshy run</c> as a real process serving a <c>protocol = "http"</c> listener.</summary>
public sealed class Http1ProxyTests
{
    private static string HttpConfig(IPEndPoint upstream) => Configs.Header() + $$"""
        [[listeners]]
        name = "web"
        address = "127.0.0.1:0"
        protocol = "http"
        routes = "web"

        [[routes]]
        name = "web"

          [[routes.rules]]
          match.path.prefix = "/"
          to = [{ cluster = "backend" }]

        """ + Configs.Cluster("backend", upstream);

    [Fact]
    public async Task Run_HttpListener_ProxiesGetAndPost()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        using var config = new TempConfig(HttpConfig(upstream.EndPoint));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "web");
        using var client = new HttpClient { BaseAddress = new Uri($"http://{await meshy.ListenerEndPointAsync("web")}") };

        Assert.Equal("GET /a len=0", await client.GetStringAsync("/a"));
        HttpResponseMessage post = await client.PostAsync("/b", new StringContent("hello"));
        Assert.Equal("POST /b len=5", await post.Content.ReadAsStringAsync());
        await meshy.WaitForLineAsync(new Regex(@"POST \S+/b -> 200 flags - route web/rules\[0\] cluster backend"));
    }

    /// <summary>
    /// Streams 1 GiB through meshy and checks its peak RSS (VmHWM) grew by less than 64 MiB: bodies are
    /// forwarded from the receive buffers, never accumulated. Heavier than the other tests (a few seconds).
    /// </summary>
    [Fact]
    public async Task Run_OneGibibyteUpload_StreamsWithBoundedMemory()
    {
        const long total = 1L << 30;
        var received = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            // Count the body without keeping it.
            long count = await request.Connection.DiscardAsync(long.Parse(request.Head.Header("content-length")!), cancellationToken);
            if (request.Head.Target == "/big")
            {
                received.TrySetResult(count);
            }
            await request.RespondAsync(200, Encoding.ASCII.GetBytes(count.ToString()), cancellationToken);
            return true;
        });
        using var config = new TempConfig(HttpConfig(upstream.EndPoint));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "web");
        IPEndPoint endPoint = await meshy.ListenerEndPointAsync("web");
        // Warm up the data path once so that JIT and pools are in the baseline.
        using (var warm = new HttpClient())
        {
            await warm.PostAsync($"http://{endPoint}/warm", new ByteArrayContent(new byte[4 << 20]));
        }
        long before = meshy.StatusKiB("VmHWM");

        using Socket client = await Loopback.ConnectAsync(endPoint);
        await Loopback.SendAllAsync(client, Encoding.ASCII.GetBytes($"POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: {total}\r\n\r\n"));
        byte[] chunk = new byte[256 * 1024];
        new Random(7).NextBytes(chunk);
        try
        {
            for (long sent = 0; sent < total; sent += chunk.Length)
            {
                await Loopback.SendAllAsync(client, chunk);
            }
        }
        catch (SocketException ex)
        {
            throw new InvalidOperationException("meshy ended the upload:\n" + string.Join('\n', meshy.Lines.TakeLast(15)), ex);
        }
        Assert.Equal(total, await received.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        long after = meshy.StatusKiB("VmHWM");

        Assert.True(after - before < 64 * 1024, $"VmHWM grew by {(after - before) / 1024} MiB (from {before / 1024} MiB to {after / 1024} MiB)");
    }
}
