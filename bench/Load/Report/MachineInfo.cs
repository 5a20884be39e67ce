namespace Meshy.Bench.Load.Report;

/// <summary>Where the figures come from, so two reports are not compared by mistake.</summary>
internal sealed record MachineInfo
{
    public string Cpu { get; init; } = "";

    public int Cores { get; init; }

    public string Kernel { get; init; } = "";

    public string Runtime { get; init; } = "";

    /// <summary>Commit of the tree the bench (and the Meshy it built) came from.</summary>
    public string Commit { get; init; } = "";

    /// <summary>/proc/loadavg when the run started: anything above ~0.1 means the figures are noisy.</summary>
    public string LoadAverage { get; init; } = "";
}
