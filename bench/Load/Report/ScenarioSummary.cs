namespace Meshy.Bench.Load.Report;

/// <summary>What the table, the JSON summary and the charts show for one scenario.</summary>
internal sealed record ScenarioSummary(ScenarioResult Scenario, IReadOnlyList<ProxySummary> Proxies, IReadOnlyList<PeerComparison> Comparisons)
{
    public ProxySummary? Subject => Proxies.FirstOrDefault(p => p.IsSubject);
}
