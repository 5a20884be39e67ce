using System.Diagnostics;

namespace Meshy.Bench.Load.Probes;

/// <summary>A started CPU measurement: readings taken at construction, compared on <see cref="Stop"/>.</summary>
internal sealed class CpuWindow
{
    private readonly int _cpu;
    private readonly int? _rootPid;
    private readonly long _coreTicks;
    private readonly ProcessTicks _processTicks;
    private readonly Stopwatch _clock;

    public CpuWindow(int cpu, int? rootPid)
    {
        _cpu = cpu;
        _rootPid = rootPid;
        _processTicks = rootPid is { } pid ? ProcFs.TreeCpuTicks(pid) : default;
        _coreTicks = ProcFs.CoreBusyTicks(cpu);
        _clock = Stopwatch.StartNew();
    }

    public CpuUsage Stop()
    {
        long busy = ProcFs.CoreBusyTicks(_cpu);
        double wall = _clock.Elapsed.TotalSeconds;
        ProcessTicks? process = _rootPid is { } pid ? ProcFs.TreeCpuTicks(pid) : null;
        return new CpuUsage(
            (busy - _coreTicks) / ProcFs.TicksPerSecond,
            process is { } end ? (end.Total - _processTicks.Total) / ProcFs.TicksPerSecond : null,
            process is { } ended ? (ended.User - _processTicks.User) / ProcFs.TicksPerSecond : null,
            wall);
    }
}
