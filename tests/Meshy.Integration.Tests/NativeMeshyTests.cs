using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Meshy.Testing;

namespace Meshy.Integration.Tests;

/// <summary>
/// The native meshy (NativeAOT, what <c>dotnet publish -r linux-x64</c> makes) does what the JIT build
/// does: nothing it needs was trimmed away, and nothing reflection-bound broke in compilation.
/// </summary>
[Collection(NativeMeshyCollection.Name)]
public sealed partial class NativeMeshyTests(NativeMeshyBuild build)
{
    private static string Config(IPEndPoint upstream, string extraListener = "") =>
        Configs.Header() + Configs.HttpListener("web", "web") + extraListener + Configs.RoutesAllTo("web", "backend") + Configs.Cluster("backend", upstream);

    [NativeFact]
    public async Task Native_DemoTour_EveryStepBehaves()
    {
        (int exitCode, string stdout, string stderr) = await MeshyProcess.RunToEndAsync(
            ["demo", "--port", "0", "--admin-port", "0", "--short", "--no-serve"], executable: build.Executable, timeout: TimeSpan.FromMinutes(2));

        Assert.True(exitCode == 0, stdout + stderr);
        Assert.Matches(EveryStepBehaved(), stdout);
    }

    [NativeFact]
    public async Task Native_Run_ProxiesHttp1AndHttp2CountsThemAndReloads()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        using var config = new TempConfig(Config(upstream.EndPoint));
        await using MeshyProcess meshy = await MeshyProcess.RunExecutableAsync(build.Executable, config.Path, "web");
        using var admin = new AdminClient(await meshy.AdminEndPointAsync());
        var web = new Uri($"http://{await meshy.ListenerEndPointAsync("web")}/");
        using var client = new HttpClient();

        Assert.Equal("GET /one len=0", await SendAsync(client, new Uri(web, "one"), HttpVersion.Version11));
        Assert.Equal("GET /two len=0", await SendAsync(client, new Uri(web, "two"), HttpVersion.Version20));
        (_, string metrics) = await admin.GetAsync("metrics");
        Assert.Equal(2, metrics.Split('\n')
            .Where(line => line.StartsWith("istio_requests_total{", StringComparison.Ordinal) && line.Contains("response_code=\"200\"", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)));

        int before = meshy.Lines.Count;
        config.Rewrite(Config(upstream.EndPoint).Replace("connect_timeout = \"1s\"", "connect_timeout = \"soon\"", StringComparison.Ordinal));
        await meshy.WaitForLineAsync(new Regex(Regex.Escape(config.Path) + @":\d+:\d+: clusters\[0\]\.connect_timeout: "), before);
        Assert.Equal("GET /three len=0", await SendAsync(client, new Uri(web, "three"), HttpVersion.Version11));

        config.Rewrite(Config(upstream.EndPoint, Configs.HttpListener("extra", "web")));
        var extra = new Uri($"http://{await meshy.ListenerEndPointAsync("extra")}/");
        Assert.Equal("GET /four len=0", await SendAsync(client, new Uri(extra, "four"), HttpVersion.Version20));
    }

    [NativeFact]
    public async Task Native_Validate_ShippedConfigsPassAndABadOneIsReportedByLine()
    {
        string root = RepositoryRoot.Find();
        foreach (string file in ValidateTests.ShippedConfigs())
        {
            (int exitCode, string stdout, string stderr) = await MeshyProcess.RunToEndAsync(["validate", "--config", file], root, executable: build.Executable);
            Assert.True(exitCode == 0, $"{file}: {stderr}");
            Assert.StartsWith($"{file}: ok: ", stdout);
        }

        using var bad = new TempConfig("[[clusters]]\nname = \"db\"\nconect_timeout = \"1s\"\nendpoints = []\n");
        (int badExit, _, string badErrors) = await MeshyProcess.RunToEndAsync(["validate", "--config", bad.Path], executable: build.Executable);
        Assert.Equal(1, badExit);
        Assert.Contains($"{bad.Path}:3:1: clusters[0].conect_timeout: unknown key (did you mean connect_timeout?)", badErrors);
    }

    /// <summary>One GET at <paramref name="version"/> exactly: HTTP/2 here is h2c with prior knowledge.</summary>
    private static async Task<string> SendAsync(HttpClient client, Uri uri, Version version)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using HttpResponseMessage response = await client.SendAsync(request);
        Assert.Equal(version, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [GeneratedRegex(@"(\d+) of \1 steps behaved as configured")]
    private static partial Regex EveryStepBehaved();
}
