using Meshy.Bench.Load.Probes;
using Meshy.Bench.Load.Report;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>
/// The CPU figures of a scenario per unit of work (per GB for TCP, per 100k requests for HTTP):
/// the whole proxy core (the headline) and the proxy process alone (holds up when other processes
/// share the core: compare with "proxy core busy before load"), and that process's user-space part
/// (its own code: where proxies differ most, since the kernel's TCP work per request is alike).
/// The load side's core is read too: when it is the one saturated, its cost per unit is what bounds throughput.
/// </summary>
internal sealed record CpuMetricSet(string Unit, double UnitSize, string CoreKey, string ProcessKey, string UserKey, string LoadKey)
{
    public static readonly CpuMetricSet PerGigabyte = new("s/GB", 1e9, "cpu_per_gb", "process_cpu_per_gb", "process_user_cpu_per_gb", "load_cpu_per_gb");

    public static readonly CpuMetricSet Per100kRequests = new("s/100k req", 100_000, "cpu_per_100k", "process_cpu_per_100k", "process_user_cpu_per_100k", "load_cpu_per_100k");

    /// <summary>Share of the window the load side's core was busy: near 100%, the load side set the pace.</summary>
    public const string LoadBusyKey = "load_core_busy";

    public IReadOnlyList<MetricDefinition> Definitions =>
    [
        new(CoreKey, "CPU core", Unit, MetricBetter.Lower, MetricKind.Cost, Chart: true),
        new(ProcessKey, "proxy process CPU", Unit, MetricBetter.Lower, MetricKind.Cost, Chart: true),
        new(UserKey, "proxy user-space CPU", Unit, MetricBetter.Lower, MetricKind.Cost, Chart: false),
        new(LoadKey, "load core CPU", Unit, MetricBetter.Lower, MetricKind.LoadCost, Chart: false),
        new(LoadBusyKey, "load core busy", "%", MetricBetter.Higher, MetricKind.Info, Chart: false),
    ];

    public string Explanation(string per) =>
        $"CPU core = busy seconds of the proxy's core (user+nice+system+irq+softirq+steal in /proc/stat) per {per}; "
        + $"proxy process CPU = the proxy's own utime+stime per {per} (with tick-based accounting it includes softirq work run in its context, "
        + "and unlike CPU core it excludes other processes that shared the core); proxy user-space CPU = its utime alone, "
        + "the proxy's own code without the kernel's share; load core CPU = busy seconds of the core the load generator and upstream "
        + $"share, read the same way, per {per}: with that core near 100% busy (load core busy) it sets the throughput, and the "
        + "kernel's delivery of what the load side sends into the proxy's sockets runs there.";

    /// <summary>Adds the figures read for <paramref name="units"/> units of work (nothing when there was no work).</summary>
    public void Add(Dictionary<string, double> metrics, CpuUsage cpu, double units)
    {
        if (units <= 0)
        {
            return;
        }
        double perUnit = UnitSize / units;
        metrics[CoreKey] = cpu.CoreBusySeconds * perUnit;
        if (cpu.ProcessSeconds is { } process)
        {
            metrics[ProcessKey] = process * perUnit;
        }
        if (cpu.ProcessUserSeconds is { } user)
        {
            metrics[UserKey] = user * perUnit;
        }
        if (cpu.LoadCoreBusySeconds is { } load)
        {
            metrics[LoadKey] = load * perUnit;
            metrics[LoadBusyKey] = cpu.PercentOfWindow(load);
        }
    }
}
