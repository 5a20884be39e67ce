using System.Net;
using Meshy.Bench.Load.Proxies;
using Meshy.Bench.Load.Scenarios;

namespace Meshy.Cli.Tests.Bench;

/// <summary>The h2c scenarios' load (issue 4: 16 connections × 32 streams) and the latencies read from h2load's log.</summary>
public sealed class H2cScenarioTests
{
    private static readonly IPEndPoint Target = new(IPAddress.Loopback, 8080);

    [Fact]
    public void LoadArguments_Measured_Runs16ConnectionsOf32StreamsAndLogsEveryRequest()
    {
        IReadOnlyList<string> arguments = H2cScenario.LoadArguments(Target, TimeSpan.FromSeconds(10), "/tmp/run/h2load.log");

        Assert.Equal(["-t1", "-c16", "-m32", "-D10", "--log-file=/tmp/run/h2load.log", "http://127.0.0.1:8080/"], arguments);
    }

    [Fact]
    public void LogPath_WithTmpfs_IsOnTmpfsNotInTheRunDirectory()
    {
        if (!Directory.Exists("/dev/shm"))
        {
            Assert.Equal(Path.Combine("/tmp/run", "h2load.log"), H2cScenario.LogPath("/tmp/run"));
            return;
        }

        string path = H2cScenario.LogPath("/tmp/run");

        Assert.StartsWith("/dev/shm/", path, StringComparison.Ordinal);
        Assert.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), path, StringComparison.Ordinal);
        // Paired runs load two proxies at once: each run's log is its own.
        Assert.NotEqual(path, H2cScenario.LogPath("/tmp/run2"));
    }

    [Fact]
    public void LoadArguments_WarmUp_LogsNothing()
    {
        IReadOnlyList<string> arguments = H2cScenario.LoadArguments(Target, TimeSpan.FromSeconds(3), logFile: null);

        Assert.Equal(["-t1", "-c16", "-m32", "-D3", "http://127.0.0.1:8080/"], arguments);
    }

    [Fact]
    public void Catalog_H2cUpstream_FollowsH2cAndSpeaksH2cToTheUpstream()
    {
        List<ILoadScenario> all = [.. ScenarioCatalog.All()];
        int h2c = all.FindIndex(s => s.Name == "h2c");

        Assert.Equal(ProxyMode.Http2Cleartext, all[h2c].Mode);
        Assert.Equal("h2c-upstream", all[h2c + 1].Name);
        Assert.Equal(ProxyMode.Http2CleartextBothWays, all[h2c + 1].Mode);
        Assert.Equal(MeshyRouting.Plain, all[h2c + 1].Routing);
    }

    [Fact]
    public void NghttpdArguments_ServeTheDocumentRootOverCleartextOnLoopbackWithOneThreadAndNoLog()
    {
        IReadOnlyList<string> arguments = H2cScenario.NghttpdArguments(9001, "/tmp/run/htdocs");

        Assert.Equal(["--no-tls", "--address=127.0.0.1", "--workers=1", "--htdocs=/tmp/run/htdocs", "9001"], arguments);
    }

    [Fact]
    public void H2loadLogRead_MixedStatuses_CountsOnly2xx()
    {
        // Ten 2xx answers of 100..1000 µs, out of order, between a fast 503, a failed stream (-1)
        // and a 302 that would all pull the percentiles down if they counted.
        const string log = """
            1795749983551204	200	700
            1795749983551205	503	20
            1795749983551205	200	100
            1795749983551206	200	1000
            1795749983551206	-1	5
            1795749983551207	204	300
            1795749983551207	200	500
            1795749983551208	302	10
            1795749983551208	200	200
            1795749983551209	200	900
            1795749983551209	200	400
            1795749983551210	200	800
            1795749983551210	200	600

            """;

        H2loadLog latency = H2loadLog.Read(new StringReader(log));

        Assert.Equal(10, latency.Count);
        Assert.Equal(0.5, latency.P50Ms);      // nearest rank: the 5th of 10
        Assert.Equal(1.0, latency.P99Ms);      // the 10th of 10
        Assert.Equal(0.55, latency.MeanMs, precision: 9);
    }

    [Fact]
    public void H2loadLogRead_ExtraColumns_AreIgnored()
    {
        H2loadLog latency = H2loadLog.Read(new StringReader("1795749983551204\t200\t1500\tlater\tcolumns\n"));

        Assert.Equal((1, 1.5, 1.5), (latency.Count, latency.P50Ms, latency.P99Ms));
    }

    [Fact]
    public void H2loadLogRead_NoSuccess_CountsNothing()
    {
        H2loadLog latency = H2loadLog.Read(new StringReader("1795749983551204\t-1\t1500\n"));

        Assert.Equal(new H2loadLog(0, 0, 0, 0), latency);
    }

    [Theory]
    [InlineData("1795749983551204 200 575", "h2load log line 2 is not 'start<TAB>status<TAB>microseconds': 1795749983551204 200 575")]
    [InlineData("1795749983551204\tok\t575", "h2load log line 2 is not 'start<TAB>status<TAB>microseconds': 1795749983551204\tok\t575")]
    [InlineData("1795749983551204\t200\t-575", "h2load log line 2 is not 'start<TAB>status<TAB>microseconds': 1795749983551204\t200\t-575")]
    public void H2loadLogRead_MalformedLine_FailsWithItsNumber(string line, string reason)
    {
        FormatException e = Assert.Throws<FormatException>(() => H2loadLog.Read(new StringReader("1795749983551204\t200\t575\n" + line + "\n")));

        Assert.Equal(reason, e.Message);
    }
}
