using System.Globalization;
using System.Net;
using Meshy.Bench.Load.Cli;
using Meshy.Bench.Load.Probes;
using Meshy.Bench.Load.Processes;
using Meshy.Bench.Load.Proxies;
using Meshy.Bench.Load.Report;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>
/// <c>h2c</c>: h2load with one thread, HTTP/2 prior knowledge over cleartext, 16 connections × 32
/// streams (the load issue 4 sets), through the proxy to the HTTP/1.1 <c>http-upstream</c>.
/// <c>h2c-upstream</c> (<paramref name="h2cUpstream"/>): the same load, and the proxy speaks h2c
/// (prior knowledge) to <c>nghttpd</c> serving a 6-byte <c>index.html</c>. Latency percentiles come
/// from h2load's per-request log (<see cref="H2loadLog"/>).
/// </summary>
internal sealed class H2cScenario(string name, bool h2cUpstream = false) : ILoadScenario
{
    /// <summary>Connections h2load opens (issue 4); independent of the wrk scenarios' <c>--http-connections</c>.</summary>
    public const int Connections = 16;

    /// <summary>Concurrent streams h2load keeps open on each connection (issue 4).</summary>
    public const int StreamsPerConnection = 32;

    private const int BodySize = 6;

    private readonly string? _h2load = ExternalTool.Find("h2load");
    private readonly string? _nghttpd = h2cUpstream ? ExternalTool.Find("nghttpd") : null;

    public string Name => name;

    public string Title => h2cUpstream ? "HTTP/2 cleartext both ways (h2c upstream), 6-byte responses" : "HTTP/2 cleartext, 6-byte responses";

    public ProxyMode Mode => h2cUpstream ? ProxyMode.Http2CleartextBothWays : ProxyMode.Http2Cleartext;

    public IReadOnlyList<MetricDefinition> Metrics { get; } =
    [
        HttpMetrics.Rps,
        HttpMetrics.P50Latency,
        HttpMetrics.P99Latency,
        new(HttpMetrics.Mean, "mean latency", "ms", MetricBetter.Lower, MetricKind.Latency, Chart: false),
        .. HttpMetrics.Cpu.Definitions,
        HttpMetrics.PeakRss,
        HttpMetrics.Gen0Collections,
        HttpMetrics.ErrorCount,
    ];

    public string Describe(LoadOptions options) =>
        $"h2load -t1 -c{Connections} -m{StreamsPerConnection} for {DurationText.Format(options.Duration)}: h2c GET / through the proxy "
        + (h2cUpstream
            ? "to nghttpd over h2c (prior knowledge; one thread, no logging), which serves a 6-byte index.html; "
            : "to http-upstream (HTTP/1.1 upstream), 6-byte body; ")
        + $"{Connections * StreamsPerConnection} requests in flight. "
        + "p50, p99 and mean run over every 2xx request of h2load's per-request log (--log-file), from sending the request "
        + "to the end of its response; closed loop, so a stall delays later requests instead of counting against them. "
        + HttpMetrics.CpuExplanation;

    public string? MissingTool() =>
        _h2load is null ? "h2load is not installed (apt-get install -y nghttp2-client)"
        : h2cUpstream && _nghttpd is null ? "nghttpd is not installed (apt-get install -y nghttp2-server)"
        : null;

    public Task<UpstreamProcess> StartUpstreamAsync(LoadOptions options, string workDirectory, CancellationToken cancellationToken)
    {
        if (!h2cUpstream)
        {
            return UpstreamProcess.StartAsync("http-upstream", options, cancellationToken, "--body-size", BodySize.ToString(CultureInfo.InvariantCulture));
        }
        string documentRoot = Path.Combine(workDirectory, "htdocs");
        Directory.CreateDirectory(documentRoot);
        File.WriteAllText(Path.Combine(documentRoot, "index.html"), new string('x', BodySize));
        return UpstreamProcess.StartOnFreePortAsync(
            "nghttpd", port => new ProcessCommand(_nghttpd!, NghttpdArguments(port, documentRoot)), options, workDirectory, cancellationToken);
    }

    /// <summary>
    /// nghttpd as the h2c upstream: cleartext (prior knowledge), loopback only, one worker thread
    /// (pinned to the load core anyway) and no <c>-v</c>, so it writes nothing per request.
    /// </summary>
    public static IReadOnlyList<string> NghttpdArguments(int port, string documentRoot) =>
        ["--no-tls", "--address=127.0.0.1", "--workers=1", "--htdocs=" + documentRoot, port.ToString(CultureInfo.InvariantCulture)];

    public async Task ProbeAsync(IPEndPoint target, CancellationToken cancellationToken)
    {
        // A proxy that accepts but never answers must fail the probe quickly, not hang it.
        string[] arguments = ["-t1", "-c1", "-m1", "-n1", "-N5s", Url(target)];
        H2loadResult result = await H2loadAsync(arguments, new LoadOptions(), TimeSpan.FromSeconds(5), cancellationToken);
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
            await H2loadAsync(LoadArguments(context.Target, options.Warmup, logFile: null), options, options.Warmup, cancellationToken);
        }

        string log = LogPath(context.WorkDirectory);
        try
        {
            long? gen0Before = await context.Probe.Gen0CollectionsAsync(cancellationToken);
            CpuWindow cpu = context.StartCpu();
            H2loadResult result = await H2loadAsync(LoadArguments(context.Target, options.Duration, log), options, options.Duration, cancellationToken);
            CpuUsage usage = cpu.Stop();
            MemoryUsage? memory = context.Probe.Memory();
            long? gen0After = await context.Probe.Gen0CollectionsAsync(cancellationToken);

            if (result.Succeeded == 0)
            {
                throw new InvalidOperationException($"h2load completed no request ({result.Errors} errors)");
            }
            H2loadLog latency = H2loadLog.ReadFile(log);
            if (latency.Count == 0)
            {
                throw new InvalidOperationException($"h2load's log holds no 2xx request though its summary counts {result.Succeeded}");
            }
            var metrics = new Dictionary<string, double>
            {
                [HttpMetrics.RequestsPerSecond] = result.RequestsPerSecond,
                [HttpMetrics.P50] = latency.P50Ms,
                [HttpMetrics.P99] = latency.P99Ms,
                [HttpMetrics.Mean] = latency.MeanMs,
                [HttpMetrics.Errors] = result.Errors,
            };
            HttpMetrics.Cpu.Add(metrics, usage, result.Succeeded);
            CostMetrics.AddPeakRss(metrics, memory);
            CostMetrics.AddGen0PerRequests(metrics, gen0Before, gen0After, result.Succeeded);
            return metrics;
        }
        finally
        {
            // Some 10 MB per 10 s run; the run's directory lives until the whole suite ends.
            File.Delete(log);
        }
    }

    /// <summary>
    /// Where h2load's per-request log goes: tmpfs when the machine has one. On a disk, the kernel's writeback
    /// of the log ran in kworker threads on the proxy's core (they are not pinned) and showed there as about
    /// 3 us of system time per request, a fifth of what Meshy itself spent.
    /// </summary>
    internal static string LogPath(string workDirectory) =>
        Directory.Exists(TmpfsDirectory)
            ? Path.Combine(TmpfsDirectory, $"meshy-bench-h2load-{Environment.ProcessId}-{Path.GetFileName(workDirectory)}.log")
            : Path.Combine(workDirectory, "h2load.log");

    private const string TmpfsDirectory = "/dev/shm";

    /// <summary>
    /// h2load's arguments for the load: one thread, <see cref="Connections"/> × <see cref="StreamsPerConnection"/>
    /// for <paramref name="duration"/>, every request logged to <paramref name="logFile"/> when one is given.
    /// </summary>
    public static IReadOnlyList<string> LoadArguments(IPEndPoint target, TimeSpan duration, string? logFile)
    {
        var arguments = new List<string>
        {
            "-t1",
            "-c" + Connections.ToString(CultureInfo.InvariantCulture),
            "-m" + StreamsPerConnection.ToString(CultureInfo.InvariantCulture),
            // h2load takes whole seconds.
            "-D" + Math.Max(1, (int)Math.Round(duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
        };
        if (logFile is not null)
        {
            arguments.Add("--log-file=" + logFile);
        }
        arguments.Add(Url(target));
        return arguments;
    }

    private static string Url(IPEndPoint target) => $"http://{target}/";

    private async Task<H2loadResult> H2loadAsync(IReadOnlyList<string> arguments, LoadOptions options, TimeSpan expected, CancellationToken cancellationToken)
    {
        ProcessCommand command = new ProcessCommand(_h2load!, arguments).PinnedTo(options.LoadCpu, options.Scheduling);
        IReadOnlyList<string> output = await LoadTool.RunAsync("h2load", command, expected, cancellationToken);
        return H2loadResult.Parse(string.Join('\n', output));
    }
}
