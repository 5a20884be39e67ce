using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Meshy.Testing;

namespace Meshy.Integration.Tests;

/// <summary>
/// A gradual migration by reload under steady load (CONTRACT: reload): 100% v1, then 50/50 v1/v3, then
/// 100% v3, without a failed request; new weights apply to requests that start after the reload.
/// </summary>
public sealed class ReloadTrafficMigrationTests
{
    private const int Clients = 4;

    [Fact]
    public async Task Reload_WeightsMovedFromV1ToV3UnderLoad_NoFailedRequest()
    {
        await using FakeHttpUpstream v1 = NamedUpstream("v1");
        await using FakeHttpUpstream v2 = NamedUpstream("v2");
        await using FakeHttpUpstream v3 = NamedUpstream("v3");
        using var config = new TempConfig(MigrationConfig(v1.EndPoint, v2.EndPoint, v3.EndPoint, """{ cluster = "app", subset = "v1", weight = 100 }"""));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "web");
        IPEndPoint web = await meshy.ListenerEndPointAsync("web");

        // 1. steady load: a few keep-alive clients, each request stamped with its start
        var results = new ConcurrentQueue<Result>();
        using var stop = new CancellationTokenSource();
        Task[] load = [.. Enumerable.Range(0, Clients).Select(_ => Task.Run(() => DriveAsync(web, results, stop.Token)))];
        await Loopback.WaitUntilAsync(() => results.Count >= 50, "the load runs on the first config");

        // 2. 50/50 v1/v3: new requests see the new weights from the moment the reload is logged
        int before = meshy.Lines.Count;
        long rewritten = Stopwatch.GetTimestamp();
        config.Rewrite(MigrationConfig(v1.EndPoint, v2.EndPoint, v3.EndPoint,
            """{ cluster = "app", subset = "v1", weight = 50 }, { cluster = "app", subset = "v3", weight = 50 }"""));
        await meshy.WaitForLineAsync(new Regex("reloaded "), before);
        long split = Stopwatch.GetTimestamp();
        await Loopback.WaitUntilAsync(() => results.Count(r => r.Started > split) >= 200, "200 requests on the 50/50 split", TimeSpan.FromSeconds(30));

        // 3. 100% v3
        before = meshy.Lines.Count;
        config.Rewrite(MigrationConfig(v1.EndPoint, v2.EndPoint, v3.EndPoint, """{ cluster = "app", subset = "v3" }"""));
        await meshy.WaitForLineAsync(new Regex("reloaded "), before);
        long moved = Stopwatch.GetTimestamp();
        await Loopback.WaitUntilAsync(() => results.Count(r => r.Started > moved) >= 200, "200 requests on v3 only", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Result[] all = [.. results];
        Assert.Empty(all.Where(r => r.Answer is not ("v1" or "v2" or "v3")).Select(r => r.Answer).Distinct());
        Assert.Empty(v2.Requests);
        Result[] halfway = [.. all.Where(r => r.Started > split && r.Started < moved)];
        // 200+ requests split 50/50: either side empty has probability below 2^-199.
        Assert.Contains(halfway, r => r.Answer == "v3");
        Assert.Contains(halfway, r => r.Answer == "v1");
        Assert.All(all.Where(r => r.Started > moved), r => Assert.Equal("v3", r.Answer));
        // The new snapshot is published before the reload is logged, so only requests over before the
        // file changed are sure to be on the first config.
        Assert.All(all.Where(r => r.Finished < rewritten), r => Assert.Equal("v1", r.Answer));
    }

    private static async Task DriveAsync(IPEndPoint web, ConcurrentQueue<Result> results, CancellationToken stop)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1, UseProxy = false })
        {
            BaseAddress = new Uri($"http://{web}"),
            Timeout = TimeSpan.FromSeconds(10),
        };
        while (!stop.IsCancellationRequested)
        {
            long started = Stopwatch.GetTimestamp();
            string answer;
            try
            {
                using HttpResponseMessage response = await client.GetAsync("/", CancellationToken.None);
                string body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                answer = response.StatusCode == HttpStatusCode.OK ? body : $"status {(int)response.StatusCode}: {body}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                answer = $"failed: {ex.GetType().Name}: {ex.Message}";
            }
            results.Enqueue(new Result(started, Stopwatch.GetTimestamp(), answer));
        }
    }

    private static FakeHttpUpstream NamedUpstream(string name) => FakeHttpUpstream.Start(async (request, cancellationToken) =>
    {
        await request.ReadBodyAsync();
        await request.RespondAsync(200, Encoding.ASCII.GetBytes(name), cancellationToken);
        return true;
    });

    private static string MigrationConfig(IPEndPoint v1, IPEndPoint v2, IPEndPoint v3, string to) => Configs.Header() + $$"""
        [[listeners]]
        name = "web"
        address = "127.0.0.1:0"
        protocol = "http"
        routes = "web"

        [[routes]]
        name = "web"
        hosts = ["*"]

          [[routes.rules]]
          name = "migration"
          to = [{{to}}]

        [[clusters]]
        name = "app"
        connect_timeout = "1s"
        endpoints = [
          { address = "{{v1}}", labels = { version = "v1" } },
          { address = "{{v2}}", labels = { version = "v2" } },
          { address = "{{v3}}", labels = { version = "v3" } },
        ]
        subsets = [
          { name = "v1", labels = { version = "v1" } },
          { name = "v2", labels = { version = "v2" } },
          { name = "v3", labels = { version = "v3" } },
        ]

        """;

    private sealed record Result(long Started, long Finished, string Answer);
}
