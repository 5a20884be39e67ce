namespace Meshy.Bench.Load.Report;

/// <summary>A peer or load tool: whether it was found, its version, or how to install it.</summary>
internal sealed record ToolInfo(string Name, bool Available, string? Version, string? Note);
