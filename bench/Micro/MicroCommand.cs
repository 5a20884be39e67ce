using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;

namespace Meshy.Bench.Micro;

/// <summary>
/// <c>micro [FILTER] [BenchmarkDotNet options]</c>: every benchmark class of this assembly through
/// BenchmarkDotNet's switcher, allocations measured. FILTER is a glob on full benchmark names
/// (<c>*Http1Parser*</c>); without one, everything runs instead of BDN's interactive prompt.
/// </summary>
internal static class MicroCommand
{
    public static int Run(string[] args)
    {
        var forwarded = new List<string>();
        int next = 0;
        if (args.Length > 0 && !args[0].StartsWith('-'))
        {
            forwarded.AddRange(["--filter", args[0]]);
            next = 1;
        }
        else if (!args.Contains("--filter") && !args.Contains("--list"))
        {
            forwarded.AddRange(["--filter", "*"]);
        }
        forwarded.AddRange(args[next..]);

        IConfig config = DefaultConfig.Instance.AddDiagnoser(MemoryDiagnoser.Default);
        IEnumerable<BenchmarkDotNet.Reports.Summary> summaries =
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. forwarded], config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
