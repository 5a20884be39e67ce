namespace Meshy.Bench.Load.Report;

internal enum ProxyState
{
    /// <summary>At least one run measured.</summary>
    Ok,

    /// <summary>Ran, but no run measured anything.</summary>
    Failed,

    /// <summary>Not run: not installed, not supported in this scenario, or the run was interrupted.</summary>
    Skipped,
}
