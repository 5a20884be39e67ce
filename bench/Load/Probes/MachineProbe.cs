using System.Runtime.InteropServices;
using Meshy.Bench.Load.Processes;
using Meshy.Bench.Load.Report;

namespace Meshy.Bench.Load.Probes;

/// <summary>Describes the machine for the report header.</summary>
internal static class MachineProbe
{
    public static MachineInfo Collect()
    {
        string? root = RepoRoot.Find();
        string git = ExternalTool.Find("git") ?? "git";
        string commit = root is null ? "" : ExternalTool.Output(git, "-C", root, "rev-parse", "--short", "HEAD").Trim();
        return new MachineInfo
        {
            Cpu = ReadOr("/proc/cpuinfo", text => ExternalTool.LineWith(text, "model name")?.Split(':', 2) is [_, string model] ? model.Trim() : ""),
            Cores = OnlineCores(),
            Kernel = ReadOr("/proc/sys/kernel/osrelease", text => text.Trim()),
            Runtime = RuntimeInformation.FrameworkDescription,
            Commit = commit.Contains(' ', StringComparison.Ordinal) ? "" : commit,
            LoadAverage = ReadOr("/proc/loadavg", text => string.Join(' ', text.Split(' ').Take(3))),
        };
    }

    /// <summary>Cores listed in /proc/stat: unlike Environment.ProcessorCount, not narrowed by this process's affinity.</summary>
    public static int OnlineCores() =>
        File.ReadLines("/proc/stat").Count(l => l.StartsWith("cpu", StringComparison.Ordinal) && l.Length > 3 && char.IsDigit(l[3]));

    private static string ReadOr(string path, Func<string, string> select)
    {
        try
        {
            return select(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
