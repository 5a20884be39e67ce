namespace Meshy.Bench.Load.Report;

internal enum RunStatus
{
    /// <summary>Measured.</summary>
    Ok,

    /// <summary>Started but did not proxy (did not start, not ready in time, probe failed, load tool failed).</summary>
    Failed,
}
