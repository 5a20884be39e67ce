using System.Net;
using Meshy.Bench.Load.Probes;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>One run of one proxy: where to send load and what may be observed of the proxy.</summary>
/// <param name="Target">Where the load generator connects: the proxy, or the upstream for <c>direct</c>.</param>
/// <param name="Probe">CPU and memory of the proxy's core and processes.</param>
/// <param name="Options">The options of <c>load</c>.</param>
/// <param name="WorkDirectory">The run's directory (the proxy's config is there too), for the load tool's files.</param>
internal sealed record MeasureContext(IPEndPoint Target, ProxyProbe Probe, LoadOptions Options, string WorkDirectory)
{
    /// <summary>
    /// Starts reading the CPU of both cores and of the proxy's processes. In a paired run every proxy's load shares the
    /// load core, so its busy time belongs to no one proxy and is not read.
    /// </summary>
    public CpuWindow StartCpu() => Probe.StartCpu(Options.Paired ? null : Options.LoadCpu);
}
