namespace Meshy.Bench.Load.Probes;

/// <summary>Resident memory of a proxy's process tree (master + workers summed), in bytes.</summary>
internal sealed record MemoryUsage(long Rss, long PeakRss, int Processes);
