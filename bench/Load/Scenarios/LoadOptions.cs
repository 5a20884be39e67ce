using Meshy.Bench.Load.Processes;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>The parsed options of <c>load</c> that scenarios read.</summary>
internal sealed record LoadOptions
{
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Load before each measured window, not measured: JIT tiering, pools, TCP autotuning.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(10);

    public int Rounds { get; init; } = 3;

    /// <summary>Connections of the <c>tcp</c> scenario.</summary>
    public int TcpConnections { get; init; } = 4;

    /// <summary>Write size of the <c>tcp</c> scenario.</summary>
    public int Chunk { get; init; } = 65536;

    /// <summary>Connections held by <c>tcp-idle</c>.</summary>
    public int IdleConnections { get; init; } = 1000;

    /// <summary>Keep-alive connections of the wrk scenarios (h2c runs issue 4's 16 × 32, see <see cref="H2cScenario"/>).</summary>
    public int HttpConnections { get; init; } = 64;

    /// <summary>Requests per second of <c>http1-latency</c>, on its one connection.</summary>
    public int LatencyRate { get; init; } = 1000;

    public int ProxyCpu { get; init; } = 1;

    /// <summary>
    /// All proxies of a round run at once, pinned to the proxy core, each with its own load generator: their
    /// process CPU per request then meets the same host speed. For two builds of Meshy on a noisy host (see the
    /// README); "CPU core" then counts them all.
    /// </summary>
    public bool Paired { get; init; }

    /// <summary>HTTP peers run without the forwarding headers Meshy adds (see <see cref="Proxies.ProxyLaunch.PeersForward"/>).</summary>
    public bool BarePeers { get; init; }

    public int LoadCpu { get; init; }

    /// <summary>
    /// Scheduling of the proxy, upstream and load tools. Raised by default so they win their cores
    /// from other jobs on a shared machine: otherwise the scheduler's per-thread fairness hands a
    /// multi-threaded proxy a larger share of a contended core than a single-threaded one, and
    /// throughput ratios measure the scheduler. Every proxy gets the same. Without CAP_SYS_NICE,
    /// nice(1) warns and runs the program unchanged.
    /// </summary>
    public Scheduling Scheduling { get; init; } = Scheduling.Default;
}
