namespace Meshy.Bench.Load.Scenarios;

/// <summary>What <c>tcp-blast</c> prints.</summary>
internal sealed record BlastResult(long Bytes, double Seconds, int Connections, int Errors);
