namespace Meshy.Bench.Load.Report;

/// <summary>
/// Reduces recorded runs to medians, spreads and ratios. A pure function of a
/// <see cref="ScenarioResult"/>, so a JSON file recorded yesterday renders the same tables today.
/// </summary>
internal static class ReportBuilder
{
    public static IReadOnlyList<ScenarioSummary> Summarize(BenchReport report) => report.Scenarios.Select(Summarize).ToList();

    public static ScenarioSummary Summarize(ScenarioResult scenario)
    {
        List<ProxySummary> proxies = scenario.Proxies.Select(p => SummarizeProxy(scenario, p)).ToList();
        ProxySummary? subject = proxies.FirstOrDefault(p => p.IsSubject);
        List<PeerComparison> comparisons = subject is null
            ? []
            : proxies.Where(p => !p.IsSubject).Select(peer => Compare(scenario, subject, peer)).ToList();
        return new ScenarioSummary(scenario, proxies, comparisons);
    }

    /// <summary>The median; the mean of the two middle values for an even count.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("no values", nameof(values));
        }
        double[] sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static ProxySummary SummarizeProxy(ScenarioResult scenario, string proxy)
    {
        bool isSubject = proxy == scenario.Subject;
        bool isBaseline = scenario.Baselines.Contains(proxy);
        List<RunSample> runs = scenario.Runs.Where(r => r.Proxy == proxy).ToList();
        List<RunSample> measured = runs.Where(r => r.Status == RunStatus.Ok).ToList();
        RunSample? firstFailure = runs.FirstOrDefault(r => r.Status == RunStatus.Failed);

        if (measured.Count == 0)
        {
            (ProxyState state, string note) = scenario.SkipReason is { } scenarioSkip ? (ProxyState.Skipped, scenarioSkip)
                : scenario.Skipped.FirstOrDefault(s => s.Proxy == proxy) is { } skipped ? (ProxyState.Skipped, skipped.Reason)
                : firstFailure is not null ? (ProxyState.Failed, firstFailure.Error ?? "failed")
                : (ProxyState.Skipped, "not run");
            return new ProxySummary(proxy, state, note, 0, Empty, Empty, isSubject, isBaseline);
        }

        var medians = new Dictionary<string, double>();
        var spreads = new Dictionary<string, double>();
        foreach (MetricDefinition metric in scenario.Metrics)
        {
            List<double> values = measured
                .Where(r => r.Metrics.ContainsKey(metric.Key))
                .Select(r => r.Metrics[metric.Key])
                .ToList();
            if (values.Count == 0)
            {
                continue;
            }
            double median = Median(values);
            medians[metric.Key] = median;
            if (values.Count >= 2 && median != 0)
            {
                spreads[metric.Key] = (values.Max() - values.Min()) / Math.Abs(median);
            }
        }

        int failures = runs.Count - measured.Count;
        string? failureNote = failures == 0
            ? null
            : $"{failures} of {runs.Count} runs failed: {firstFailure?.Error}";
        return new ProxySummary(proxy, ProxyState.Ok, failureNote, measured.Count, medians, spreads, isSubject, isBaseline);
    }

    private static PeerComparison Compare(ScenarioResult scenario, ProxySummary subject, ProxySummary peer)
    {
        if (subject.State != ProxyState.Ok)
        {
            string verb = subject.State == ProxyState.Failed ? "failed" : "skipped";
            // The reason is on the subject's own row; repeating it per peer only buries the table.
            return new PeerComparison(peer.Proxy, subject.State, $"{subject.Proxy} {verb} (see its row)", Empty);
        }
        if (peer.State != ProxyState.Ok)
        {
            return new PeerComparison(peer.Proxy, peer.State, peer.Note, Empty);
        }

        var ratios = new Dictionary<string, double>();
        foreach (MetricDefinition metric in scenario.Metrics)
        {
            bool meaningful = metric.Kind switch
            {
                MetricKind.Info => false,
                MetricKind.Cost => !peer.IsBaseline,
                _ => true,
            };
            if (meaningful
                && subject.Medians.TryGetValue(metric.Key, out double mine)
                && peer.Medians.TryGetValue(metric.Key, out double theirs)
                && theirs != 0)
            {
                ratios[metric.Key] = mine / theirs;
            }
        }
        return new PeerComparison(peer.Proxy, ProxyState.Ok, null, ratios);
    }

    private static readonly IReadOnlyDictionary<string, double> Empty = new Dictionary<string, double>();
}
