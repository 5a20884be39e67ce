using System.Globalization;

namespace Meshy.Bench.Load.Processes;

/// <summary>
/// How the measured processes (proxy, upstream, load tools) are scheduled, beyond their pinning.
/// </summary>
/// <param name="Nice">Added to the runner's niceness with <c>nice -n</c>; 0 leaves it alone.</param>
/// <param name="Realtime">
/// <c>chrt -f 1</c> (SCHED_FIFO) instead of nice. On a busy machine a single-threaded event loop
/// (HAProxy, an nginx worker) loses throughput to wake-up latency whatever its niceness: the
/// scheduler lets the running neighbour finish its slice. FIFO removes that, at the price of
/// starving other jobs on both cores for the length of each run (the kernel's RT throttling still
/// leaves them 5%).
/// </param>
internal sealed record Scheduling(int Nice, bool Realtime)
{
    /// <summary>The default: a nudge that costs other jobs little.</summary>
    public static readonly Scheduling Default = new(-10, Realtime: false);

    /// <summary>The wrapper to put in front of a command, or nothing.</summary>
    public IReadOnlyList<string> Prefix =>
        Realtime ? ["chrt", "-f", "1"]
        : Nice != 0 ? ["nice", "-n", Nice.ToString(CultureInfo.InvariantCulture)]
        : [];

    public override string ToString() => Realtime ? "SCHED_FIFO 1" : Nice != 0 ? $"niceness {Nice:+#;-#;0}" : "default scheduling";
}
