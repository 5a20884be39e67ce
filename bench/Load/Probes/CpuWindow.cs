using System.Diagnostics;

namespace Meshy.Bench.Load.Probes;

/// <summary>A started CPU measurement: readings taken at construction, compared on <see cref="Stop"/>.</summary>
internal sealed class CpuWindow
{
    private readonly int _cpu;
    private readonly int? _loadCpu;
    private readonly int? _rootPid;
    private readonly long _coreTicks;
    private readonly long _loadCoreTicks;
    private readonly ProcessTicks _processTicks;
    private readonly Stopwatch _clock;

    /// <param name="cpu">The proxy's core.</param>
    /// <param name="loadCpu">The load generator's and upstream's core, when it is another one; null to leave it unread.</param>
    /// <param name="rootPid">The proxy's process, whose tree's own CPU time is read; null for none.</param>
    public CpuWindow(int cpu, int? loadCpu, int? rootPid)
    {
        _cpu = cpu;
        _loadCpu = loadCpu != cpu ? loadCpu : null;
        _rootPid = rootPid;
        _processTicks = rootPid is { } pid ? ProcFs.TreeCpuTicks(pid) : default;
        _loadCoreTicks = _loadCpu is { } load ? ProcFs.CoreBusyTicks(load) : 0;
        _coreTicks = ProcFs.CoreBusyTicks(cpu);
        _clock = Stopwatch.StartNew();
    }

    public CpuUsage Stop()
    {
        long busy = ProcFs.CoreBusyTicks(_cpu);
        long? loadBusy = _loadCpu is { } load ? ProcFs.CoreBusyTicks(load) : null;
        double wall = _clock.Elapsed.TotalSeconds;
        ProcessTicks? process = _rootPid is { } pid ? ProcFs.TreeCpuTicks(pid) : null;
        return new CpuUsage(
            (busy - _coreTicks) / ProcFs.TicksPerSecond,
            process is { } end ? (end.Total - _processTicks.Total) / ProcFs.TicksPerSecond : null,
            process is { } ended ? (ended.User - _processTicks.User) / ProcFs.TicksPerSecond : null,
            loadBusy is { } loadEnd ? (loadEnd - _loadCoreTicks) / ProcFs.TicksPerSecond : null,
            wall);
    }
}
