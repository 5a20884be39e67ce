namespace Meshy.Bench.Load.Report;

/// <summary>What a metric measures, which decides against whom a ratio makes sense.</summary>
internal enum MetricKind
{
    /// <summary>Work per second: compared with every peer, baselines included (how close to "no proxy").</summary>
    Throughput,

    /// <summary>Time per request: compared with every peer, baselines included.</summary>
    Latency,

    /// <summary>
    /// What the proxy costs (CPU per unit, memory): compared with real proxies only. A baseline such
    /// as <c>direct</c> runs no proxy, so its figure is the noise floor of the core, not a cost.
    /// </summary>
    Cost,

    /// <summary>
    /// What the run costs the load side's core per unit of work: compared with every peer, baselines included,
    /// since <c>direct</c>'s figure is the load side's own cost and a proxy's excess over it is what the proxy
    /// takes from the load side's throughput.
    /// </summary>
    LoadCost,

    /// <summary>Context shown in tables (errors, connections held), never turned into a ratio.</summary>
    Info,
}
