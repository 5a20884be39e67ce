namespace Meshy.Bench.Load.Proxies;

/// <summary>How Meshy's generated route sends traffic; peers always proxy plainly.</summary>
internal enum MeshyRouting
{
    /// <summary>One rule, one cluster.</summary>
    Plain,

    /// <summary>One rule splitting 99/1 over two clusters that both hold the bench upstream.</summary>
    Weighted99To1,

    /// <summary>One rule, one cluster, every request mirrored to a second upstream (cluster <c>shadow</c>).</summary>
    Mirror100,

    /// <summary>
    /// One rule, one cluster, every resilience setting configured but none triggering: timeout, retries,
    /// faults at 0%, circuit-breaker limits, outlier detection and health checks.
    /// </summary>
    Resilient,
}
