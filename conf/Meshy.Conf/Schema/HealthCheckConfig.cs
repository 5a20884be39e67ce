namespace Meshy.Conf.Schema;

/// <summary>
/// <c>clusters[].health_check</c>: active HTTP/1.1 GET probes to every endpoint with <c>Host</c> = the
/// cluster name and <c>user-agent: meshy-health-check</c>; 2xx passes. New endpoints start healthy.
/// </summary>
public sealed record HealthCheckConfig
{
    /// <summary><c>path</c>: the probe's path, starting with <c>/</c>. Required.</summary>
    public required string Path { get; init; }

    /// <summary><c>interval</c>: time between probes of one endpoint. Default <c>5s</c>, range above 0 up to 1h.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>timeout</c>: a probe with no answer by then fails. Default <c>1s</c>; above 0 and at most <see cref="Interval"/>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>unhealthy_threshold</c>: failed probes in a row that mark an endpoint unhealthy. Default 3, range 1–1000.</summary>
    public int UnhealthyThreshold { get; init; } = 3;

    /// <summary><c>healthy_threshold</c>: passed probes in a row that mark it healthy again. Default 2, range 1–1000.</summary>
    public int HealthyThreshold { get; init; } = 2;
}
