namespace Meshy.Bench.Load.Scenarios;

/// <summary>What <c>http-rate</c> prints at the end: counts, achieved seconds, latencies in ms from each request's due time.</summary>
internal sealed record RateResult(long Count, long Errors, double Seconds, int Rate, double P50, double P90, double P99, double P999, double Max);
