using System.Net;

namespace Meshy.Bench.Load.Probes;

/// <summary>What a scenario may observe of the proxy under test: its core's CPU, its memory, and (Meshy) its collections.</summary>
internal sealed class ProxyProbe(int proxyCpu, int? rootPid, IPEndPoint? admin = null)
{
    /// <summary>The core the proxy is pinned to.</summary>
    public int ProxyCpu => proxyCpu;

    /// <summary>False for <c>direct</c>: no process, so no process CPU and no memory.</summary>
    public bool HasProcess => rootPid is not null;

    /// <summary>Starts reading the proxy's core, its process tree and <paramref name="loadCpu"/>, the load side's core (null: not read).</summary>
    public CpuWindow StartCpu(int? loadCpu) => new(proxyCpu, loadCpu, rootPid);

    /// <summary>Memory of the whole process tree now, or null without a process.</summary>
    public MemoryUsage? Memory()
    {
        if (rootPid is not { } pid)
        {
            return null;
        }
        IReadOnlyList<int> tree = ProcFs.ProcessTree(pid);
        long rss = 0;
        long peak = 0;
        foreach (int member in tree)
        {
            (long memberRss, long memberPeak) = ProcFs.Memory(member);
            rss += memberRss;
            peak += memberPeak;
        }
        return new MemoryUsage(rss, peak, tree.Count);
    }

    /// <summary>Gen0 collections so far, for a proxy whose admin endpoint reports them; null otherwise.</summary>
    public Task<long?> Gen0CollectionsAsync(CancellationToken cancellationToken) =>
        admin is null ? Task.FromResult<long?>(null) : GcCollections.Gen0Async(admin, cancellationToken);
}
