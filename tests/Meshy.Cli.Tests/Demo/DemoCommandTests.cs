using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Meshy.Cli.Demo;
using Meshy.Testing;

namespace Meshy.Cli.Tests.Demo;

/// <summary><c>meshy demo</c> as a process: serving after the tour until Ctrl-C, and its exit codes.</summary>
public sealed partial class DemoCommandTests
{
    [Fact]
    public async Task Demo_AfterTheTour_ServesTheBaseConfigUntilStopped()
    {
        await using MeshyProcess meshy = MeshyProcess.Start(["demo", "--short", "--port", "0", "--admin-port", "0"]);
        IPEndPoint proxy = IPEndPoint.Parse((await meshy.WaitForLineAsync(ProxyLine())).Groups["endpoint"].Value);
        Match summary = await meshy.WaitForLineAsync(SummaryLine(), TimeSpan.FromMinutes(2));
        await meshy.WaitForLineAsync(CtrlCLine());

        using var client = new HttpClient { BaseAddress = new Uri($"http://{proxy}/"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal("v1\n", await client.GetStringAsync("/"));
        using var iphone = new HttpRequestMessage(HttpMethod.Get, "/");
        iphone.Headers.TryAddWithoutValidation("user-agent", "Mozilla/5.0 (iPhone)");
        using HttpResponseMessage answer = await client.SendAsync(iphone);
        Assert.Equal("v3", answer.Headers.GetValues(DemoBackend.VersionHeader).Single());

        // SIGTERM rather than Ctrl-C's SIGINT: a test run started in the background (nohup, CI wrappers) passes
        // SIGINT on ignored, and .NET keeps an inherited ignore. meshy stops the same way on both.
        meshy.Signal(15);
        int exitCode = await meshy.WaitForExitAsync();
        // 0 when every step behaved as configured, 1 when one did not: the summary line says which.
        bool allPassed = summary.Groups["passed"].Value == DemoTour.StepCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(exitCode == (allPassed ? 0 : 1), string.Join('\n', meshy.Lines));
    }

    [Theory]
    [InlineData("--port", "70000")]
    [InlineData("--admin-port", "-1")]
    [InlineData("--ports", "1")]
    public async Task Demo_BadOption_IsAUsageErrorWithExitTwo(string option, string value)
    {
        (int exitCode, string stdout, string stderr) = await MeshyProcess.RunToEndAsync(["demo", option, value, "--no-serve"]);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains(option, stderr);
    }

    [Fact]
    public async Task Demo_PortTaken_ExitsOneNamingTheProblem()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        int port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        (int exitCode, _, string stderr) = await MeshyProcess.RunToEndAsync(["demo", "--short", "--no-serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--admin-port", "0"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("meshy demo: cannot bind", stderr);
        Assert.Contains("--port", stderr);
    }

    [GeneratedRegex(@"^   proxy     http://(?<endpoint>\S+)/$")]
    private static partial Regex ProxyLine();

    [GeneratedRegex(@"^(?<passed>\d+) of \d+ steps behaved as configured")]
    private static partial Regex SummaryLine();

    [GeneratedRegex(@"Ctrl-C to stop")]
    private static partial Regex CtrlCLine();
}
