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
/// <c>tcp-idle</c>: memory of idle proxied connections. <c>tcp-hold</c> opens N connections, each
/// proven end to end by the sink's greeting byte, and keeps them idle while the proxy's resident
/// memory is sampled.
/// </summary>
internal sealed class TcpIdleScenario : ILoadScenario
{
    public const string Held = "held";
    public const string RssHeld = "rss_held";
    public const string KibPerConnection = "kib_per_connection";

    // Lets the proxy finish its upstream connects and the allocator settle before sampling.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    public string Name => "tcp-idle";

    public string Title => "idle connections";

    public ProxyMode Mode => ProxyMode.Tcp;

    public IReadOnlyList<MetricDefinition> Metrics { get; } =
    [
        new(RssHeld, "RSS while holding", "MiB", MetricBetter.Lower, MetricKind.Cost, Chart: true),
        new(KibPerConnection, "RSS per connection", "KiB", MetricBetter.Lower, MetricKind.Cost, Chart: true),
        new(CostMetrics.PeakRss, "peak RSS", "MiB", MetricBetter.Lower, MetricKind.Cost, Chart: false),
        new(Held, "connections held", "", MetricBetter.Higher, MetricKind.Info, Chart: false),
    ];

    public string Describe(LoadOptions options) =>
        $"tcp-hold opens {options.IdleConnections} connections through the proxy to tcp-sink (each proven by a byte from the sink) "
        + $"and keeps them idle; {Settle.TotalSeconds:0}s later the proxy's resident memory (VmRSS, master and workers summed) is read. "
        + "RSS per connection = (RSS while holding − RSS before opening) / connections.";

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
        MemoryUsage? before = context.Probe.Memory();
        ProcessCommand command = SelfCommand.For(
            "tcp-hold",
            "--target", context.Target.ToString(),
            "--connections", options.IdleConnections.ToString(CultureInfo.InvariantCulture),
            "--hold", "120s",
            "--" + StdinWatch.Flag).PinnedTo(options.LoadCpu, options.Scheduling);
        await using ChildProcess holder = ChildProcess.Start("tcp-hold", command);

        string line = await holder.ReadLineAsync(TimeSpan.FromSeconds(60), cancellationToken)
            ?? throw new InvalidOperationException($"tcp-hold reported nothing within 60s: {holder.Tail()}");
        HoldResult held = JsonSerializer.Deserialize(line, ToolJsonContext.Default.HoldResult)
            ?? throw new InvalidOperationException("tcp-hold printed JSON null");
        if (held.Failed > 0)
        {
            throw new InvalidOperationException($"only {held.Opened} of {options.IdleConnections} connections were proxied: {holder.Tail(2)}");
        }

        await Task.Delay(Settle, cancellationToken);
        MemoryUsage? holding = context.Probe.Memory();
        holder.CloseStdin();
        await holder.WaitForExitAsync(TimeSpan.FromSeconds(30), cancellationToken);

        var metrics = new Dictionary<string, double> { [Held] = held.Opened };
        if (before is not null && holding is not null)
        {
            metrics[RssHeld] = CostMetrics.ToMiB(holding.Rss);
            metrics[KibPerConnection] = (holding.Rss - before.Rss) / 1024.0 / held.Opened;
        }
        CostMetrics.AddPeakRss(metrics, holding);
        return metrics;
    }
}
