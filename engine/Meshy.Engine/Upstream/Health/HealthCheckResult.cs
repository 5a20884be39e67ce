namespace Meshy.Engine.Upstream.Health;

/// <summary>The outcome of one active health-check probe: the <c>result</c> label of <c>meshy_health_checks_total</c>.</summary>
public enum HealthCheckResult
{
    /// <summary>A 2xx answer (HTTP) or an accepted connect (TCP).</summary>
    Success,

    /// <summary>Any other answer, a refused or reset connection, or a malformed response.</summary>
    Failure,

    /// <summary>No answer within <c>timeout</c>.</summary>
    Timeout,
}
