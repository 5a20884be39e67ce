namespace Meshy.Bench.Load.Probes;

/// <summary>CPU spent during a measurement window.</summary>
/// <param name="CoreBusySeconds">The headline: everything the proxy core did, kernel network work included, and also
/// whatever else the scheduler put on that core.</param>
/// <param name="ProcessSeconds">The proxy's own utime + stime; null without a proxy process (<c>direct</c>). With
/// tick-based CPU accounting (the Debian default, no CONFIG_IRQ_TIME_ACCOUNTING) this includes the
/// softirq work, such as loopback delivery, that ran while the proxy was on the CPU.</param>
/// <param name="ProcessUserSeconds">The utime part of <paramref name="ProcessSeconds"/>: the proxy's own code, with
/// the kernel's network work (which the proxies share, syscall for syscall) left out.</param>
/// <param name="WallSeconds">Length of the window.</param>
internal sealed record CpuUsage(double CoreBusySeconds, double? ProcessSeconds, double? ProcessUserSeconds, double WallSeconds);
