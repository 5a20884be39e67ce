using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Meshy.Testing;

namespace Meshy.Integration.Tests;

/// <summary>
/// <c>meshy run</c> serving HTTP/2 with prior knowledge on a <c>protocol = "http"</c> listener, driven by
/// real HTTP/2 clients (curl, nghttp, h2load) to an HTTP/1.1 upstream.
/// </summary>
public sealed partial class Http2ProxyTests
{
    private static string Config(IPEndPoint upstream, string accessLog) => Configs.Header() + $$"""
        [access_log]
        path = "{{accessLog}}"

        """ + Configs.HttpListener("web", "web") + Configs.RoutesAllTo("web", "backend") + Configs.Cluster("backend", upstream);

    [Fact]
    public async Task Run_CurlHttp2PriorKnowledge_GetAndPostProxiedAndLoggedAsHttp2()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        using var config = new TempConfig("");
        string log = Path.Combine(config.Directory, "access.log");
        config.Rewrite(Config(upstream.EndPoint, log));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "web");
        string url = $"http://{await meshy.ListenerEndPointAsync("web")}";

        (int getExit, string get) = await RunAsync("curl", "-sS", "--http2-prior-knowledge", "-w", " %{http_version}", $"{url}/a?b=1");
        (int postExit, string post) = await RunAsync("curl", "-sS", "--http2-prior-knowledge", "-w", " %{http_version}", "--data-binary", "hello", $"{url}/p");

        Assert.Equal(0, getExit);
        Assert.Equal("GET /a?b=1 len=0 2", get);
        Assert.Equal(0, postExit);
        Assert.Equal("POST /p len=5 2", post);
        await Loopback.WaitUntilAsync(() => File.Exists(log) && File.ReadAllLines(log).Length == 2, "2 access-log lines");
        // The lines may come in either order: a response reaches the client before its line is written.
        JsonElement line = File.ReadAllLines(log).Select(text => JsonDocument.Parse(text).RootElement)
            .Single(entry => entry.GetProperty("path").GetString() == "/p");
        Assert.Equal("HTTP/2", line.GetProperty("protocol").GetString());
        Assert.Equal(5, line.GetProperty("bytes_received").GetInt64());
        Assert.InRange(line.GetProperty("bytes_sent").GetInt64(), "POST /p len=5".Length + 9, 400);
    }

    [Fact]
    public async Task Run_Nghttp_HundredConcurrentStreamsOnOneConnection()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        using var config = new TempConfig("");
        config.Rewrite(Config(upstream.EndPoint, Path.Combine(config.Directory, "access.log")));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "web");
        string url = $"http://{await meshy.ListenerEndPointAsync("web")}/n";

        // -m 100: the same request 100 times, all on one connection at once (nghttp's default limit is 100).
        (int exit, string output) = await RunAsync("nghttp", "-n", "-v", "-m", "100", url);

        Assert.True(exit == 0, output);
        Assert.Equal(100, upstream.Requests.Count);
        Assert.Equal(100, StatusLines().Matches(output).Count);
    }

    [Fact]
    public async Task Run_H2load_TenThousandRequestsWithoutFailure()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        using var config = new TempConfig("");
        config.Rewrite(Config(upstream.EndPoint, Path.Combine(config.Directory, "access.log")));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "web");
        string url = $"http://{await meshy.ListenerEndPointAsync("web")}/load";

        (int exit, string output) = await RunAsync("h2load", "-n", "10000", "-c", "4", "-m", "32", url);

        Assert.True(exit == 0, output);
        Match done = H2loadRequests().Match(output);
        Assert.True(done.Success, output);
        Assert.Equal("10000", done.Groups["succeeded"].Value);
        Assert.Equal("0", done.Groups["failed"].Value);
        Assert.Equal("0", done.Groups["errored"].Value);
    }

    [Fact]
    public async Task Run_AutoListener_Http2PrefaceIsRoutedWithNoByteLost()
    {
        using var config = new TempConfig(Configs.Header() + """
            [[listeners]]
            name = "auto"
            address = "127.0.0.1:0"
            protocol = "auto"
            routes = "web"
            cluster = "bytes"

            [[routes]]
            name = "web"
              [[routes.rules]]
              name = "fixed"
              respond = { status = 200, body = "routed" }

            [[clusters]]
            name = "bytes"
            endpoints = [{ address = "127.0.0.1:9" }]
            """);
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "auto");

        (int exit, string output) = await RunAsync("curl", "-sS", "--http2-prior-knowledge", "-w", " %{http_version}",
            $"http://{await meshy.ListenerEndPointAsync("auto")}/x");

        Assert.Equal(0, exit);
        Assert.Equal("routed 2", output);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within 60 s");
        }
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    [GeneratedRegex(@"(?m)^\[\s*[\d.]+\] recv \(stream_id=\d+\) :status: 200")]
    private static partial Regex StatusLines();

    [GeneratedRegex(@"requests: 10000 total, \d+ started, \d+ done, (?<succeeded>\d+) succeeded, (?<failed>\d+) failed, (?<errored>\d+) errored")]
    private static partial Regex H2loadRequests();
}
