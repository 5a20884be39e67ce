namespace Meshy.Conf.Schema;

/// <summary>
/// <c>clusters[].outlier_detection</c>: eject an endpoint as soon as it fails enough times in a row, for
/// <c>base_ejection_time</c> × the number of times it has been ejected. Defaults follow Envoy.
/// </summary>
public sealed record OutlierDetectionConfig
{
    /// <summary>The defaults: 5 consecutive 5xx, gateway errors off, 10s, 30s, 10%.</summary>
    public static OutlierDetectionConfig Default { get; } = new();

    /// <summary>
    /// <c>consecutive_5xx</c>: 5xx answers or connect failures in a row that eject. Default 5,
    /// range 0–1 000 000 (0 turns this trigger off).
    /// </summary>
    public int Consecutive5xx { get; init; } = 5;

    /// <summary>
    /// <c>consecutive_gateway_errors</c>: 502/503/504 answers or connect failures in a row that eject.
    /// Default 0 (off), range 0–1 000 000.
    /// </summary>
    public int ConsecutiveGatewayErrors { get; init; }

    /// <summary><c>interval</c>: how often ejections are reviewed for return. Default <c>10s</c>, range above 0 up to 24h.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>base_ejection_time</c>: the first ejection's length. Default <c>30s</c>, range above 0 up to 24h.</summary>
    public TimeSpan BaseEjectionTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>max_ejection_percent</c>: most of the cluster ejected at once, rounded down but always allowing
    /// one endpoint. Default 10, range 0–100, decimals allowed.
    /// </summary>
    public double MaxEjectionPercent { get; init; } = 10;
}
