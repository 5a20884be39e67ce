namespace Meshy.Engine.Upstream.Health;

/// <summary>How an endpoint is probed.</summary>
public enum HealthCheckProbe
{
    /// <summary>An HTTP/1.1 GET of the path on a connection of its own; a 2xx answer passes.</summary>
    Http,

    /// <summary>A TCP connect; success passes (clusters that only TCP listeners use).</summary>
    Tcp,
}

/// <summary>A cluster's compiled <c>health_check</c>.</summary>
public sealed class HealthCheckSettings
{
    /// <summary>HTTP probe or TCP connect.</summary>
    public HealthCheckProbe Probe { get; init; } = HealthCheckProbe.Http;

    /// <summary><c>path</c>: the probe's request target.</summary>
    public required string Path { get; init; }

    /// <summary><c>interval</c>: time between probes of one endpoint (jittered by ±<see cref="Jitter"/>).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>timeout</c>: a probe without its answer by then fails as a timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>unhealthy_threshold</c>: failed probes in a row that mark an endpoint unhealthy.</summary>
    public int UnhealthyThreshold { get; init; } = 3;

    /// <summary><c>healthy_threshold</c>: passed probes in a row that mark it healthy again.</summary>
    public int HealthyThreshold { get; init; } = 2;

    /// <summary>
    /// The spread of each wait around <see cref="Interval"/>, as a fraction: probes of many endpoints (and of
    /// many proxies) drift apart instead of arriving at a backend in step.
    /// </summary>
    public const double Jitter = 0.15;
}
