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
/// <c>tcp</c>: L4 throughput. <c>tcp-blast</c> writes 64 KiB chunks as fast as it can on a few
/// connections through the proxy to <c>tcp-sink</c>; both run on the load core.
/// </summary>
internal sealed class TcpThroughputScenario : ILoadScenario
{
    public const string Throughput = "throughput";

    public string Name => "tcp";

    public string Title => "L4 throughput";

    public ProxyMode Mode => ProxyMode.Tcp;

    public IReadOnlyList<MetricDefinition> Metrics { get; } =
    [
        new(Throughput, "throughput", "MB/s", MetricBetter.Higher, MetricKind.Throughput, Chart: true),
        .. CpuMetricSet.PerGigabyte.Definitions,
        new(CostMetrics.PeakRss, "peak RSS", "MiB", MetricBetter.Lower, MetricKind.Cost, Chart: false),
    ];

    public string Describe(LoadOptions options) =>
        $"tcp-blast writes {options.Chunk / 1024} KiB chunks on {options.TcpConnections} connections for {DurationText.Format(options.Duration)} "
        + "through the proxy to tcp-sink, which discards them. throughput = bytes written / seconds (1 MB = 10^6 bytes); "
        + CpuMetricSet.PerGigabyte.Explanation("GB moved");

    public string? MissingTool() => null;

    public Task<UpstreamProcess> StartUpstreamAsync(LoadOptions options, string workDirectory, CancellationToken cancellationToken) =>
        UpstreamProcess.StartAsync("tcp-sink", options, cancellationToken);

    public async Task ProbeAsync(IPEndPoint target, CancellationToken cancellationToken)
    {
        using var socket = await TcpGreeting.ConnectAsync(target, TimeSpan.FromSeconds(5), cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, double>> MeasureAsync(MeasureContext context, CancellationToken cancellationToken)
    {
        LoadOptions options = context.Options;
        if (options.Warmup > TimeSpan.Zero)
        {
            await BlastAsync(context, options.Warmup, cancellationToken);
        }

        CpuWindow cpu = context.StartCpu();
        BlastResult result = await BlastAsync(context, options.Duration, cancellationToken);
        CpuUsage usage = cpu.Stop();
        MemoryUsage? memory = context.Probe.Memory();

        if (result.Bytes <= 0 || result.Errors > 0)
        {
            throw new InvalidOperationException(
                $"tcp-blast moved {result.Bytes} bytes with {result.Errors} of {result.Connections} connections failing");
        }
        var metrics = new Dictionary<string, double>
        {
            [Throughput] = result.Bytes / result.Seconds / 1e6,
        };
        CpuMetricSet.PerGigabyte.Add(metrics, usage, result.Bytes);
        CostMetrics.AddPeakRss(metrics, memory);
        return metrics;
    }

    private static async Task<BlastResult> BlastAsync(MeasureContext context, TimeSpan duration, CancellationToken cancellationToken)
    {
        LoadOptions options = context.Options;
        ProcessCommand command = SelfCommand.For(
            "tcp-blast",
            "--target", context.Target.ToString(),
            "--duration", DurationText.Format(duration),
            "--connections", options.TcpConnections.ToString(CultureInfo.InvariantCulture),
            "--chunk", options.Chunk.ToString(CultureInfo.InvariantCulture),
            "--" + StdinWatch.Flag).PinnedTo(options.LoadCpu, options.Scheduling);
        IReadOnlyList<string> output = await LoadTool.RunAsync("tcp-blast", command, duration, cancellationToken);
        string json = output.LastOrDefault(l => l.StartsWith('{')) ?? throw new InvalidOperationException("tcp-blast printed no result");
        return JsonSerializer.Deserialize(json, ToolJsonContext.Default.BlastResult)
            ?? throw new InvalidOperationException("tcp-blast printed JSON null");
    }
}
