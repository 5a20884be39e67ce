using System.Globalization;
using System.Net;
using Meshy.Bench.Load.Cli;
using Meshy.Bench.Load.Probes;
using Meshy.Bench.Load.Processes;
using Meshy.Bench.Load.Proxies;
using Meshy.Bench.Load.Report;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>
/// <c>http1-small</c> and <c>http1-16k</c>: wrk with one thread and keep-alive connections against
/// <c>http-upstream</c> answering a fixed body, through the proxy. <c>http1-weighted</c> and
/// <c>http1-observed</c> vary Meshy's config only (<paramref name="routing"/>,
/// <paramref name="accessLog"/>) and name the scenario they vary in <paramref name="reference"/>.
/// </summary>
internal sealed class Http1Scenario(
    string name,
    int bodySize,
    MeshyRouting routing = MeshyRouting.Plain,
    bool accessLog = false,
    string? reference = null) : ILoadScenario
{
    private readonly string? _wrk = ExternalTool.Find("wrk");

    public string Name => name;

    public string Title => $"HTTP/1.1 keep-alive, {BodyText} responses"
        + (routing == MeshyRouting.Weighted99To1 ? ", Meshy splitting 99/1 over two clusters" : "")
        + (routing == MeshyRouting.Mirror100 ? ", Meshy mirroring every request to a second upstream" : "")
        + (routing == MeshyRouting.Resilient ? ", Meshy with every resilience setting on, none triggering" : "")
        + (accessLog ? ", Meshy writing its access log to a file" : "");

    public ProxyMode Mode => ProxyMode.Http1;

    public MeshyRouting Routing => routing;

    public bool MeshyAccessLog => accessLog;

    public string? Reference => reference;

    public IReadOnlyList<MetricDefinition> Metrics { get; } =
    [
        HttpMetrics.Rps,
        HttpMetrics.P50Latency,
        HttpMetrics.P99Latency,
        .. HttpMetrics.Cpu.Definitions,
        HttpMetrics.PeakRss,
        HttpMetrics.Gen0Collections,
        HttpMetrics.ErrorCount,
    ];

    private string BodyText => bodySize >= 1024 ? $"{bodySize / 1024} KiB" : $"{bodySize}-byte";

    public string Describe(LoadOptions options) =>
        $"wrk -t1 -c{options.HttpConnections} --latency for {DurationText.Format(options.Duration)}: GET / through the proxy "
        + $"to http-upstream, which answers 200 with a {BodyText} body on keep-alive connections. "
        + (routing == MeshyRouting.Resilient ? "Meshy's rule has a timeout, retries and 0% faults; its cluster has circuit-breaker limits, outlier detection and a 1 s health check; peers proxy plainly. " : "")
        + (routing == MeshyRouting.Mirror100 ? "Meshy mirrors every request (mirror.percent = 100) to a second http-upstream on the load core; peers proxy plainly. " : "")
        + (accessLog ? "Meshy writes one JSON access-log line per request to access.log in the run's directory (default fields); peers log nothing. " : "")
        + HttpMetrics.CpuExplanation;

    public string? MissingTool() => _wrk is null ? "wrk is not installed (apt-get install -y wrk)" : null;

    public async Task<UpstreamProcess> StartUpstreamAsync(LoadOptions options, string workDirectory, CancellationToken cancellationToken)
    {
        string[] arguments = ["--body-size", bodySize.ToString(CultureInfo.InvariantCulture)];
        UpstreamProcess primary = await UpstreamProcess.StartAsync("http-upstream", options, cancellationToken, arguments);
        if (routing != MeshyRouting.Mirror100)
        {
            return primary;
        }
        try
        {
            return primary.WithMirror(await UpstreamProcess.StartAsync("http-upstream", options, cancellationToken, arguments));
        }
        catch
        {
            await primary.DisposeAsync();
            throw;
        }
    }

    public Task ProbeAsync(IPEndPoint target, CancellationToken cancellationToken) => ProbeBodyAsync(target, bodySize, cancellationToken);

    /// <summary>One <c>GET /</c> through <paramref name="target"/> must answer 200 with <paramref name="bodySize"/> bytes within 5 s.</summary>
    public static async Task ProbeBodyAsync(IPEndPoint target, int bodySize, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            (int status, string body) = await HttpProbe.GetAsync(target, "/", deadline.Token);
            if (status != 200 || body.Length != bodySize)
            {
                throw new InvalidOperationException($"GET / answered {status} with {body.Length} bytes (expected 200 with {bodySize})");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"GET / through {target} got no complete answer within 5s");
        }
    }

    public async Task<IReadOnlyDictionary<string, double>> MeasureAsync(MeasureContext context, CancellationToken cancellationToken)
    {
        LoadOptions options = context.Options;
        if (options.Warmup > TimeSpan.Zero)
        {
            await WrkAsync(context, options.Warmup, cancellationToken);
        }

        long? gen0Before = await context.Probe.Gen0CollectionsAsync(cancellationToken);
        CpuWindow cpu = context.StartCpu();
        WrkResult result = await WrkAsync(context, options.Duration, cancellationToken);
        CpuUsage usage = cpu.Stop();
        MemoryUsage? memory = context.Probe.Memory();
        long? gen0After = await context.Probe.Gen0CollectionsAsync(cancellationToken);

        if (result.Requests == 0)
        {
            throw new InvalidOperationException("wrk completed no request");
        }
        var metrics = new Dictionary<string, double>
        {
            [HttpMetrics.RequestsPerSecond] = result.RequestsPerSecond,
            [HttpMetrics.Errors] = result.Errors,
        };
        if (result.LatencyMs.TryGetValue(50, out double p50))
        {
            metrics[HttpMetrics.P50] = p50;
        }
        if (result.LatencyMs.TryGetValue(99, out double p99))
        {
            metrics[HttpMetrics.P99] = p99;
        }
        HttpMetrics.Cpu.Add(metrics, usage, result.Requests);
        CostMetrics.AddPeakRss(metrics, memory);
        CostMetrics.AddGen0PerRequests(metrics, gen0Before, gen0After, result.Requests);
        return metrics;
    }

    private async Task<WrkResult> WrkAsync(MeasureContext context, TimeSpan duration, CancellationToken cancellationToken)
    {
        // wrk takes whole seconds.
        int seconds = Math.Max(1, (int)Math.Round(duration.TotalSeconds));
        ProcessCommand command = new ProcessCommand(
            _wrk!,
            "-t1",
            "-c" + context.Options.HttpConnections.ToString(CultureInfo.InvariantCulture),
            "-d" + seconds.ToString(CultureInfo.InvariantCulture) + "s",
            "--timeout", "2s",
            "--latency",
            $"http://{context.Target}/").PinnedTo(context.Options.LoadCpu, context.Options.Scheduling);
        IReadOnlyList<string> output = await LoadTool.RunAsync("wrk", command, duration, cancellationToken);
        return WrkResult.Parse(string.Join('\n', output));
    }
}
