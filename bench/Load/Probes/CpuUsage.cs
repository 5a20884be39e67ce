namespace Meshy.Bench.Load.Probes;

/// <summary>CPU spent during a measurement window.</summary>
/// <param name="CoreBusySeconds">The headline: everything the proxy core did, kernel network work included, and also
/// whatever else the scheduler put on that core.</param>
/// <param name="ProcessSeconds">The proxy's own utime + stime; null without a proxy process (<c>direct</c>). With
/// tick-based CPU accounting (the Debian default, no CONFIG_IRQ_TIME_ACCOUNTING) this includes the
/// softirq work, such as loopback delivery, that ran while the proxy was on the CPU.</param>
/// <param name="ProcessUserSeconds">The utime part of <paramref name="ProcessSeconds"/>: the proxy's own code, with
/// the kernel's network work (which the proxies share, syscall for syscall) left out.</param>
/// <param name="LoadCoreBusySeconds">Busy time of the load generator's and upstream's core, read the same way as the
/// proxy's; null when it was not read. With that core saturated it is what bounds requests per second, and a proxy
/// adds to it: the kernel delivers every segment the load side sends into the proxy's socket on the load core.</param>
/// <param name="WallSeconds">Length of the window.</param>
internal sealed record CpuUsage(double CoreBusySeconds, double? ProcessSeconds, double? ProcessUserSeconds, double? LoadCoreBusySeconds, double WallSeconds)
{
    /// <summary><paramref name="busySeconds"/> of one core as a share of the window, in percent.</summary>
    /// <remarks>Ticks are sampled at 100 Hz, so a fully busy second can read 101%: capped at 100.</remarks>
    public double PercentOfWindow(double busySeconds) => Math.Min(100, 100 * busySeconds / WallSeconds);
}
