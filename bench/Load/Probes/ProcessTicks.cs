namespace Meshy.Bench.Load.Probes;

/// <summary>A process's CPU time in clock ticks: in user space (utime) and in the kernel on its behalf (stime).</summary>
internal readonly record struct ProcessTicks(long User, long System)
{
    public long Total => User + System;
}
