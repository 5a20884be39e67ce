using System.Net;
using System.Net.Sockets;
using System.Text;
using Meshy.Testing;

namespace Meshy.Integration.Tests;

/// <summary><c>mirror</c> through <c>meshy run</c>: a large upload teed to the mirror with bounded memory, counted in /metrics.</summary>
public sealed class MirrorTests
{
    private static string MirrorConfig(IPEndPoint primary, IPEndPoint mirror) => Configs.Header() + $$"""
        [[listeners]]
        name = "web"
        address = "127.0.0.1:0"
        protocol = "http"
        routes = "web"

        [[routes]]
        name = "web"

          [[routes.rules]]
          match.path.prefix = "/"
          mirror = { cluster = "shadow" }
          to = [{ cluster = "backend" }]

        """ + Configs.Cluster("backend", primary) + Configs.Cluster("shadow", mirror);

    /// <summary>
    /// Mirrors a 100 MiB upload and checks that both upstreams got all of it, that meshy's peak RSS (VmHWM)
    /// grew by less than 64 MiB (the body is teed through a bounded window, never held whole), and that
    /// /metrics counts the copies as sent.
    /// </summary>
    [Fact]
    public async Task Run_HundredMebibyteUploadMirrored_BothGetItWithBoundedMemory()
    {
        const long total = 100L << 20;
        var primaryGot = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var mirrorGot = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The primary reads at a modest pace: the copy only keeps up if the mirror is not slower than the
        // primary, and both live in this (busy) test process.
        await using FakeHttpUpstream primary = FakeHttpUpstream.Start(Counting(primaryGot, pace: true));
        await using FakeHttpUpstream mirror = FakeHttpUpstream.Start(Counting(mirrorGot, pace: false));
        using var config = new TempConfig(MirrorConfig(primary.EndPoint, mirror.EndPoint));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "web");
        IPEndPoint endPoint = await meshy.ListenerEndPointAsync("web");
        using var admin = new AdminClient(await meshy.AdminEndPointAsync());
        // Warm up the data path (JIT, pools, a pooled connection to the mirror) so that it is in the baseline.
        using (var warm = new HttpClient())
        {
            await warm.PostAsync($"http://{endPoint}/warm", new ByteArrayContent(new byte[4 << 20]));
        }
        await WaitForMetricAsync(admin, """meshy_mirror_requests_total{cluster="shadow",result="sent"}""", 1);
        long before = ReadHighWaterMarkKiB(meshy.ProcessId);

        using Socket client = await Loopback.ConnectAsync(endPoint);
        await Loopback.SendAllAsync(client, Encoding.ASCII.GetBytes($"POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: {total}\r\n\r\n"));
        byte[] chunk = new byte[256 * 1024];
        new Random(7).NextBytes(chunk);
        for (long sent = 0; sent < total; sent += chunk.Length)
        {
            await Loopback.SendAllAsync(client, chunk);
        }

        Assert.Equal(total, await primaryGot.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(total, await mirrorGot.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        long after = ReadHighWaterMarkKiB(meshy.ProcessId);
        Assert.True(after - before < 64 * 1024, $"VmHWM grew by {(after - before) / 1024} MiB (from {before / 1024} MiB to {after / 1024} MiB)");
        await WaitForMetricAsync(admin, """meshy_mirror_requests_total{cluster="shadow",result="sent"}""", 2);
        Assert.Equal(0, await admin.MetricAsync("""meshy_mirror_requests_total{cluster="shadow",result="abandoned"}"""));
        // Copies are not primary traffic: Istio's series count none to the mirror cluster.
        (_, string metrics) = await admin.GetAsync("metrics");
        Assert.DoesNotContain(metrics.Split('\n'), line => line.StartsWith("istio_requests_total{", StringComparison.Ordinal)
            && line.Contains("destination_service=\"shadow\"", StringComparison.Ordinal) && !line.EndsWith(" 0", StringComparison.Ordinal));
    }

    /// <summary>
    /// 64 clients at once through <c>meshy run</c> (whose socket engine runs continuations inline, so the copies
    /// of one turn go to the mirror as one pipelined batch): every copy reaches the mirror exactly once, with
    /// its own path and the shadow host, and /metrics counts each as sent.
    /// </summary>
    [Fact]
    public async Task Run_ManyConcurrentGets_EveryCopyReachesTheMirrorOnce()
    {
        const int clients = 64;
        const int perClient = 10;
        await using FakeHttpUpstream primary = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.RespondAsync(200, "primary"u8.ToArray(), cancellationToken);
            return true;
        });
        await using FakeHttpUpstream mirror = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.RespondAsync(200, "mirror"u8.ToArray(), cancellationToken);
            return true;
        });
        using var config = new TempConfig(MirrorConfig(primary.EndPoint, mirror.EndPoint));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "web");
        IPEndPoint endPoint = await meshy.ListenerEndPointAsync("web");
        using var admin = new AdminClient(await meshy.AdminEndPointAsync());

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients };
        using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://{endPoint}/") };
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            for (int i = 0; i < perClient; i++)
            {
                Assert.Equal("primary", await client.GetStringAsync($"/c{c}/r{i}"));
            }
        }));

        await WaitForMetricAsync(admin, """meshy_mirror_requests_total{cluster="shadow",result="sent"}""", clients * perClient);
        Assert.Equal(0, await admin.MetricAsync("""meshy_mirror_requests_total{cluster="shadow",result="failed"}"""));
        IReadOnlyList<FakeHttpRequest> copies = mirror.Requests;
        Assert.Equal(clients * perClient, copies.Count);
        Assert.Equal(clients * perClient, copies.Select(copy => copy.Head.Target).Distinct().Count());
        Assert.All(copies, copy => Assert.Equal($"{endPoint.Address}-shadow:{endPoint.Port}", copy.Head.Header("host")));
        Assert.Empty(mirror.Errors);
    }

    /// <summary>Counts each request body without keeping it (paced: 1 ms per 64 KiB), then answers 200; <c>/big</c>'s count goes to <paramref name="result"/>.</summary>
    private static Func<FakeHttpRequest, CancellationToken, Task<bool>> Counting(TaskCompletionSource<long> result, bool pace) =>
        async (request, cancellationToken) =>
        {
            long length = long.Parse(request.Head.Header("content-length")!);
            long read = 0;
            while (read < length)
            {
                long step = await request.Connection.DiscardAsync(Math.Min(64 * 1024, length - read), cancellationToken);
                if (step == 0)
                {
                    break;
                }
                read += step;
                if (pace)
                {
                    await Task.Delay(1, cancellationToken);
                }
            }
            if (request.Head.Target == "/big")
            {
                result.TrySetResult(read);
            }
            await request.RespondAsync(200, Encoding.ASCII.GetBytes(read.ToString()), cancellationToken);
            return true;
        };

    private static async Task WaitForMetricAsync(AdminClient admin, string series, double value)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        double? current;
        while ((current = await admin.MetricAsync(series)) != value)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{series} stayed {current?.ToString() ?? "absent"}, expected {value}");
            await Task.Delay(20);
        }
    }

    private static long ReadHighWaterMarkKiB(int pid)
    {
        string line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }
}
