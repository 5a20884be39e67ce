namespace Meshy.Bench.Load.Report;

/// <summary>
/// The subject (Meshy) against one peer: <see cref="Ratios"/> holds subject median ÷ peer median
/// for every metric where that means something; empty with a <see cref="Note"/> when either side
/// has no measurement.
/// </summary>
internal sealed record PeerComparison(string Peer, ProxyState State, string? Note, IReadOnlyDictionary<string, double> Ratios);
