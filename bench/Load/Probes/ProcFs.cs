using System.Globalization;

namespace Meshy.Bench.Load.Probes;

/// <summary>
/// The few /proc readings the load suite needs: busy time of one core, CPU time and memory of a
/// process tree. Everything is read at run boundaries, never while load is running.
/// </summary>
internal static class ProcFs
{
    /// <summary>
    /// USER_HZ, the unit of /proc/stat and /proc/PID/stat. It is part of the kernel ABI and 100 on
    /// every architecture .NET runs on, whatever CONFIG_HZ the kernel was built with.
    /// </summary>
    public const double TicksPerSecond = 100.0;

    /// <summary>
    /// Busy ticks of <paramref name="cpu"/>: user + nice + system + irq + softirq + steal from its
    /// /proc/stat line, i.e. everything but idle and iowait. Softirq matters here: loopback TCP
    /// delivery runs as softirq work on the sending core, so a proxy that sends is charged for the
    /// receiver's protocol processing too.
    /// </summary>
    public static long CoreBusyTicks(int cpu)
    {
        string prefix = string.Create(CultureInfo.InvariantCulture, $"cpu{cpu} ");
        foreach (string line in File.ReadLines("/proc/stat"))
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            // cpuN user nice system idle iowait irq softirq steal guest guest_nice
            //      [1]  [2]  [3]    [4]  [5]    [6] [7]     [8]  (guest is already inside user)
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long Field(int index) => index < fields.Length ? long.Parse(fields[index], CultureInfo.InvariantCulture) : 0;
            return Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
        }
        throw new InvalidOperationException($"/proc/stat has no line for cpu{cpu}");
    }

    /// <summary><paramref name="root"/> and all its descendants that are alive now.</summary>
    public static IReadOnlyList<int> ProcessTree(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && TryReadStatFields(pid) is { } fields)
            {
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }

        var tree = new List<int> { root };
        for (int i = 0; i < tree.Count; i++)
        {
            foreach ((int pid, int parent) in parents)
            {
                if (parent == tree[i])
                {
                    tree.Add(pid);
                }
            }
        }
        return tree;
    }

    /// <summary>utime and stime of <paramref name="pid"/> in ticks, zeros when it is gone.</summary>
    public static ProcessTicks ProcessCpuTicks(int pid)
    {
        // Fields after "(comm)": [0] state [1] ppid ... [11] utime [12] stime (proc(5) fields 14 and 15).
        return TryReadStatFields(pid) is { } fields
            ? new ProcessTicks(long.Parse(fields[11], CultureInfo.InvariantCulture), long.Parse(fields[12], CultureInfo.InvariantCulture))
            : default;
    }

    /// <summary>utime and stime of every process in the tree rooted at <paramref name="rootPid"/>, summed.</summary>
    public static ProcessTicks TreeCpuTicks(int rootPid)
    {
        ProcessTicks sum = default;
        foreach (int pid in ProcessTree(rootPid))
        {
            ProcessTicks ticks = ProcessCpuTicks(pid);
            sum = new ProcessTicks(sum.User + ticks.User, sum.System + ticks.System);
        }
        return sum;
    }

    /// <summary>VmRSS and VmHWM (peak resident set) of <paramref name="pid"/> in bytes, zeros when it is gone.</summary>
    public static (long Rss, long PeakRss) Memory(int pid)
    {
        long rss = 0;
        long peak = 0;
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = KiloBytes(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = KiloBytes(line);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (0, 0);
        }
        return (rss * 1024, peak * 1024);
    }

    private static long KiloBytes(string line)
    {
        // "VmRSS:\t   12345 kB"
        string[] parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 ? long.Parse(parts[1], CultureInfo.InvariantCulture) : 0;
    }

    private static string[]? TryReadStatFields(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // NOTE: comm may contain spaces and parentheses; the fields start after the last ')'.
        int close = text.LastIndexOf(')');
        return close < 0 ? null : text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
