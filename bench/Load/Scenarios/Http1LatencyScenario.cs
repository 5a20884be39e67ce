using System.Globalization;
using System.Net;
using System.Text.Json;
using Meshy.Bench.Load.Cli;
using Meshy.Bench.Load.Probes;
using Meshy.Bench.Load.Processes;
using Meshy.Bench.Load.Proxies;
using Meshy.Bench.Load.Report;
using Meshy.Bench.Load.Tools;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>
/// <c>http1-latency</c>: latency at a fixed, modest rate rather than at saturation. <c>http-rate</c>
/// sends GET / on one keep-alive connection on an open-loop schedule (1,000 requests/s by default)
/// through the proxy to <c>http-upstream</c> with a 6-byte body. The proxy is mostly idle, so what
/// shows is the cost of one request's trip and of waking up for it. "added p99" is the proxy's p99
/// minus direct's p99 of the same round (computed by <see cref="ReportBuilder"/>): what the proxy
/// adds to the tail, with the load generator's and upstream's own share taken out.
/// </summary>
internal sealed class Http1LatencyScenario : ILoadScenario
{
    public const string AddedP99 = "added_p99_ms";

    private const int BodySize = 6;

    public string Name => "http1-latency";

    public string Title => "HTTP/1.1 latency at a fixed rate on one keep-alive connection, 6-byte responses";

    public ProxyMode Mode => ProxyMode.Http1;

    public IReadOnlyList<MetricDefinition> Metrics { get; } =
    [
        new(HttpMetrics.P50, "p50 latency", "ms", MetricBetter.Lower, MetricKind.Latency, Chart: false),
        new(HttpMetrics.P99, "p99 latency", "ms", MetricBetter.Lower, MetricKind.Latency, Chart: true),
        new(HttpMetrics.P999, "p99.9 latency", "ms", MetricBetter.Lower, MetricKind.Latency, Chart: false),
        new(AddedP99, "added p99", "ms", MetricBetter.Lower, MetricKind.Latency, Chart: true, ExcessOverBaselineOf: HttpMetrics.P99),
        .. HttpMetrics.Cpu.Definitions,
        HttpMetrics.PeakRss,
        HttpMetrics.ErrorCount,
    ];

    public string Describe(LoadOptions options) =>
        $"http-rate --rate {options.LatencyRate} for {DurationText.Format(options.Duration)} after {DurationText.Format(options.Warmup)} of the same schedule: "
        + "GET / on ONE keep-alive connection through the proxy to http-upstream (200, 6-byte body). Open loop: request i is due at "
        + "t0 + i/rate and its latency runs from that due time to the last byte of its response, so a stall counts against every "
        + "request it delays (no coordinated omission); percentiles are exact over all requests. added p99 = the proxy's p99 minus "
        + "direct's p99 in the same round, median over rounds. " + HttpMetrics.CpuExplanation;

    public string? MissingTool() => null;

    public Task<UpstreamProcess> StartUpstreamAsync(LoadOptions options, string workDirectory, CancellationToken cancellationToken) =>
        UpstreamProcess.StartAsync("http-upstream", options, cancellationToken, "--body-size", BodySize.ToString(CultureInfo.InvariantCulture));

    public Task ProbeAsync(IPEndPoint target, CancellationToken cancellationToken) => Http1Scenario.ProbeBodyAsync(target, BodySize, cancellationToken);

    public async Task<IReadOnlyDictionary<string, double>> MeasureAsync(MeasureContext context, CancellationToken cancellationToken)
    {
        LoadOptions options = context.Options;
        ProcessCommand command = SelfCommand.For(
            "http-rate",
            "--target", context.Target.ToString(),
            "--rate", options.LatencyRate.ToString(CultureInfo.InvariantCulture),
            "--duration", DurationText.Format(options.Duration),
            "--warmup", DurationText.Format(options.Warmup),
            "--" + StdinWatch.Flag).PinnedTo(options.LoadCpu, options.Scheduling);
        await using ChildProcess process = ChildProcess.Start("http-rate", command);

        // 1. The warm-up runs inside the tool, on the connection it then measures; the CPU window
        //    starts when it says the measured schedule begins.
        TimeSpan slack = TimeSpan.FromSeconds(30);
        string? line = await process.ReadLineAsync(options.Warmup + slack, cancellationToken);
        if (line != HttpRateCommand.MeasurePhaseLine)
        {
            throw new InvalidOperationException($"http-rate did not start measuring: {line ?? process.Tail()}");
        }
        CpuWindow cpu = context.StartCpu();

        // 2. The measured schedule; it ends on its own.
        int exitCode = await process.WaitForExitAsync(options.Duration + slack, cancellationToken);
        CpuUsage usage = cpu.Stop();
        MemoryUsage? memory = context.Probe.Memory();
        string? json = process.DrainStdout().LastOrDefault(l => l.StartsWith('{'));
        if (exitCode != 0 || json is null)
        {
            throw new InvalidOperationException($"http-rate exited with code {exitCode}: {process.Tail()}");
        }
        RateResult result = JsonSerializer.Deserialize(json, ToolJsonContext.Default.RateResult)
            ?? throw new InvalidOperationException("http-rate printed JSON null");

        var metrics = new Dictionary<string, double>
        {
            [HttpMetrics.P50] = result.P50,
            [HttpMetrics.P99] = result.P99,
            [HttpMetrics.P999] = result.P999,
            [HttpMetrics.Errors] = result.Errors,
        };
        HttpMetrics.Cpu.Add(metrics, usage, result.Count);
        CostMetrics.AddPeakRss(metrics, memory);
        return metrics;
    }
}
