using Meshy.Bench.Load.Report;

namespace Meshy.Cli.Tests.Bench;

/// <summary>Recorded results with round numbers, so every expected median and ratio can be checked by hand.</summary>
internal static class SampleReports
{
    public static readonly MetricDefinition Throughput = new("throughput", "throughput", "MB/s", MetricBetter.Higher, MetricKind.Throughput, Chart: true);
    public static readonly MetricDefinition Cpu = new("cpu_per_gb", "CPU core", "s/GB", MetricBetter.Lower, MetricKind.Cost, Chart: true);
    public static readonly MetricDefinition PeakRss = new("peak_rss", "peak RSS", "MiB", MetricBetter.Lower, MetricKind.Cost, Chart: false);
    public static readonly MetricDefinition Errors = new("errors", "errors", "", MetricBetter.Lower, MetricKind.Info, Chart: false);

    public const string NginxReason = "this nginx has no stream {} module; apt-get install -y libnginx-mod-stream";

    /// <summary>
    /// tcp: meshy and haproxy measured twice, nginx skipped, direct as baseline.
    /// Medians: meshy 1100 MB/s, 0.6 s/GB, 42 MiB; haproxy 2200 MB/s, 0.3 s/GB, 10 MiB; direct 4200 MB/s, 0.05 s/GB.
    /// </summary>
    public static ScenarioResult Tcp() => new()
    {
        Name = "tcp",
        Title = "L4 throughput",
        Description = "blast through the proxy",
        Subject = "meshy",
        Proxies = ["meshy", "haproxy", "nginx", "direct"],
        Baselines = ["direct"],
        Metrics = [Throughput, Cpu, PeakRss, Errors],
        Runs =
        [
            Ok("meshy", 1, 1000, 0.5, 40),
            Ok("haproxy", 1, 2000, 0.3, 10),
            Ok("direct", 1, 4000, 0.04, null),
            Ok("meshy", 2, 1200, 0.7, 44),
            Ok("haproxy", 2, 2400, 0.3, 10),
            Ok("direct", 2, 4400, 0.06, null),
        ],
        Skipped = [new SkippedProxy("nginx", NginxReason)],
    };

    public static readonly MetricDefinition P99 = new("p99_ms", "p99 latency", "ms", MetricBetter.Lower, MetricKind.Latency, Chart: true);
    public static readonly MetricDefinition AddedP99 =
        new("added_p99_ms", "added p99", "ms", MetricBetter.Lower, MetricKind.Latency, Chart: true, ExcessOverBaselineOf: "p99_ms");

    /// <summary>
    /// http1-latency: p99 in ms over three rounds; direct drifts (0.2, 0.5, 0.3) and the proxies with it.
    /// Added p99 per round: meshy 0.1, 0.2, 0.3 (median 0.2); haproxy 0.3, 0.3, 0.1 (median 0.3).
    /// Raw p99 medians: meshy 0.6, haproxy 0.5, direct 0.3, whose differences (0.3, 0.2) say the opposite.
    /// </summary>
    public static ScenarioResult Latency() => new()
    {
        Name = "http1-latency",
        Title = "HTTP/1.1 latency at a fixed rate",
        Description = "http-rate through the proxy",
        Subject = "meshy",
        Proxies = ["meshy", "haproxy", "direct"],
        Baselines = ["direct"],
        Metrics = [P99, AddedP99],
        Runs =
        [
            Latency("meshy", 1, 0.3), Latency("haproxy", 1, 0.5), Latency("direct", 1, 0.2),
            Latency("meshy", 2, 0.7), Latency("haproxy", 2, 0.8), Latency("direct", 2, 0.5),
            Latency("meshy", 3, 0.6), Latency("haproxy", 3, 0.4), Latency("direct", 3, 0.3),
        ],
    };

    public static RunSample Latency(string proxy, int round, double p99) =>
        new() { Proxy = proxy, Round = round, Status = RunStatus.Ok, Metrics = new Dictionary<string, double> { ["p99_ms"] = p99 } };

    public static BenchReport Report(params ScenarioResult[] scenarios) => new()
    {
        StartedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
        FinishedAt = new DateTimeOffset(2025, 1, 2, 3, 9, 5, TimeSpan.Zero),
        Machine = new MachineInfo { Cpu = "Test CPU", Cores = 2, Kernel = "6.1.0", Runtime = ".NET 10.0.0", Commit = "abc1234", LoadAverage = "0.01 0.02 0.03" },
        Settings = new RunSettings { Duration = "5s", Warmup = "2s", Rounds = 2, ProxyCpu = 1, LoadCpu = 0 },
        Tools =
        [
            new ToolInfo("meshy", true, "/x/meshy.dll", null),
            new ToolInfo("haproxy", true, "2.6.12", null),
            new ToolInfo("nginx", true, "nginx/1.22.1", NginxReason),
            new ToolInfo("wrk", false, null, "apt-get install -y wrk"),
        ],
        Scenarios = scenarios.Length == 0 ? [Tcp()] : scenarios,
    };

    public static RunSample Ok(string proxy, int round, double throughput, double cpu, double? rss, double errors = 0)
    {
        var metrics = new Dictionary<string, double> { ["throughput"] = throughput, ["cpu_per_gb"] = cpu, ["errors"] = errors };
        if (rss is { } value)
        {
            metrics["peak_rss"] = value;
        }
        return new RunSample { Proxy = proxy, Round = round, Status = RunStatus.Ok, Metrics = metrics };
    }

    public static RunSample Failed(string proxy, int round, string error) =>
        new() { Proxy = proxy, Round = round, Status = RunStatus.Failed, Error = error };
}
