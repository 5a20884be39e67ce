using System.Globalization;
using System.Net;
using Meshy.Bench.Load.Cli;
using Meshy.Bench.Load.Probes;
using Meshy.Bench.Load.Processes;
using Meshy.Bench.Load.Proxies;
using Meshy.Bench.Load.Report;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>
/// <c>h2c</c>: h2load with one thread, HTTP/2 prior knowledge over cleartext, several streams per
/// connection, through the proxy to the HTTP/1.1 <c>http-upstream</c>.
/// </summary>
internal sealed class H2cScenario : ILoadScenario
{
    private const int StreamsPerConnection = 10;
    private const int BodySize = 6;

    private readonly string? _h2load = ExternalTool.Find("h2load");

    public string Name => "h2c";

    public string Title => "HTTP/2 cleartext, 6-byte responses";

    public ProxyMode Mode => ProxyMode.Http2Cleartext;

    public IReadOnlyList<MetricDefinition> Metrics { get; } =
    [
        HttpMetrics.Rps,
        new(HttpMetrics.Mean, "mean latency", "ms", MetricBetter.Lower, MetricKind.Latency, Chart: false),
        .. HttpMetrics.Cpu.Definitions,
        HttpMetrics.PeakRss,
        HttpMetrics.ErrorCount,
    ];

    public string Describe(LoadOptions options) =>
        $"h2load -t1 -c{options.HttpConnections} -m{StreamsPerConnection} for {DurationText.Format(options.Duration)}: h2c GET / through the proxy "
        + "to http-upstream (HTTP/1.1 upstream), 6-byte body. h2load reports mean latency, not percentiles. " + HttpMetrics.CpuExplanation;

    public string? MissingTool() => _h2load is null ? "h2load is not installed (apt-get install -y nghttp2-client)" : null;

    public Task<UpstreamProcess> StartUpstreamAsync(LoadOptions options, string workDirectory, CancellationToken cancellationToken) =>
        UpstreamProcess.StartAsync("http-upstream", options, cancellationToken, "--body-size", BodySize.ToString(CultureInfo.InvariantCulture));

    public async Task ProbeAsync(IPEndPoint target, CancellationToken cancellationToken)
    {
        H2loadResult result = await H2loadAsync(target, new LoadOptions { HttpConnections = 1 }, requests: 1, duration: null, cancellationToken);
        if (result.Succeeded != 1)
        {
            throw new InvalidOperationException($"one h2c GET / through {target} did not succeed ({result.Errors} errors)");
        }
    }

    public async Task<IReadOnlyDictionary<string, double>> MeasureAsync(MeasureContext context, CancellationToken cancellationToken)
    {
        LoadOptions options = context.Options;
        if (options.Warmup > TimeSpan.Zero)
        {
            await H2loadAsync(context.Target, options, requests: null, options.Warmup, cancellationToken);
        }

        CpuWindow cpu = context.Probe.StartCpu();
        H2loadResult result = await H2loadAsync(context.Target, options, requests: null, options.Duration, cancellationToken);
        CpuUsage usage = cpu.Stop();
        MemoryUsage? memory = context.Probe.Memory();

        if (result.Succeeded == 0)
        {
            throw new InvalidOperationException($"h2load completed no request ({result.Errors} errors)");
        }
        var metrics = new Dictionary<string, double>
        {
            [HttpMetrics.RequestsPerSecond] = result.RequestsPerSecond,
            [HttpMetrics.Mean] = result.MeanLatencyMs,
            [HttpMetrics.Errors] = result.Errors,
        };
        HttpMetrics.Cpu.Add(metrics, usage, result.Succeeded);
        CostMetrics.AddPeakRss(metrics, memory);
        return metrics;
    }

    private async Task<H2loadResult> H2loadAsync(IPEndPoint target, LoadOptions options, int? requests, TimeSpan? duration, CancellationToken cancellationToken)
    {
        var arguments = new List<string>
        {
            "-t1",
            "-c" + options.HttpConnections.ToString(CultureInfo.InvariantCulture),
            "-m" + (requests is null ? StreamsPerConnection : 1).ToString(CultureInfo.InvariantCulture),
        };
        if (duration is { } time)
        {
            // h2load takes whole seconds.
            arguments.Add("-D" + Math.Max(1, (int)Math.Round(time.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            // A proxy that accepts but never answers must fail the probe quickly, not hang it.
            arguments.Add("-n" + requests!.Value.ToString(CultureInfo.InvariantCulture));
            arguments.Add("-N5s");
        }
        arguments.Add($"http://{target}/");
        ProcessCommand command = new ProcessCommand(_h2load!, arguments).PinnedTo(options.LoadCpu, options.Scheduling);
        IReadOnlyList<string> output = await LoadTool.RunAsync("h2load", command, duration ?? TimeSpan.FromSeconds(5), cancellationToken);
        return H2loadResult.Parse(string.Join('\n', output));
    }
}
