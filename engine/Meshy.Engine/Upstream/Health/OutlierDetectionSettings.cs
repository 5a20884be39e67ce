namespace Meshy.Engine.Upstream.Health;

/// <summary>A cluster's compiled <c>outlier_detection</c>: when an endpoint is ejected and for how long.</summary>
public sealed class OutlierDetectionSettings
{
    /// <summary>
    /// Longest ejection: Envoy's <c>max_ejection_time</c> default. The length grows with the times ejected,
    /// so without a cap a flapping endpoint would be out for hours.
    /// </summary>
    public static readonly TimeSpan DefaultMaxEjectionTime = TimeSpan.FromMinutes(5);

    /// <summary><c>consecutive_5xx</c>: 5xx answers or gateway failures in a row that eject; 0 turns it off.</summary>
    public int Consecutive5xx { get; init; } = 5;

    /// <summary><c>consecutive_gateway_errors</c>: 502/503/504 answers or gateway failures in a row that eject; 0 (default) turns it off.</summary>
    public int ConsecutiveGatewayErrors { get; init; }

    /// <summary><c>interval</c>: how often ejections are reviewed (return logged, multiplier decayed).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>base_ejection_time</c>: the first ejection's length; the n-th lasts n times as long.</summary>
    public TimeSpan BaseEjectionTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The cap of one ejection: <see cref="DefaultMaxEjectionTime"/>, or <see cref="BaseEjectionTime"/> when that is longer.</summary>
    public TimeSpan MaxEjectionTime => BaseEjectionTime > DefaultMaxEjectionTime ? BaseEjectionTime : DefaultMaxEjectionTime;

    /// <summary><c>max_ejection_percent</c>: most of the cluster ejected at once (rounded down, at least one endpoint).</summary>
    public double MaxEjectionPercent { get; init; } = 10;

    /// <summary>How long ejection number <paramref name="multiplier"/> lasts: base × multiplier, at most <see cref="MaxEjectionTime"/>.</summary>
    public TimeSpan EjectionTime(int multiplier)
    {
        double ticks = BaseEjectionTime.Ticks * (double)Math.Max(1, multiplier);
        return ticks >= MaxEjectionTime.Ticks ? MaxEjectionTime : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Endpoints of a cluster of <paramref name="endpoints"/> that may be ejected at once: rounded down, at least one.</summary>
    public int MaxEjected(int endpoints) => Math.Max(1, (int)Math.Floor(endpoints * MaxEjectionPercent / 100.0));
}
