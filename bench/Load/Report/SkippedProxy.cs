namespace Meshy.Bench.Load.Report;

/// <summary>A proxy that was not run in a scenario, with the reason and, when relevant, how to install it.</summary>
internal sealed record SkippedProxy(string Proxy, string Reason);
