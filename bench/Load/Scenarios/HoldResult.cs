namespace Meshy.Bench.Load.Scenarios;

/// <summary>What <c>tcp-hold</c> prints once its connections are open.</summary>
internal sealed record HoldResult(int Opened, int Failed, double Seconds);
