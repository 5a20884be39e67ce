namespace Meshy.Bench.Load.Report;

/// <summary>
/// Reduces recorded runs to medians, spreads and ratios. A pure function of a
/// <see cref="ScenarioResult"/>, so a JSON file recorded yesterday renders the same tables today.
/// </summary>
internal static class ReportBuilder
{
    /// <summary>
    /// Every scenario of <paramref name="report"/>; a scenario with a <see cref="ScenarioResult.Reference"/>
    /// recorded in the same report gets one more comparison: the subject against itself there.
    /// </summary>
    public static IReadOnlyList<ScenarioSummary> Summarize(BenchReport report) =>
        report.Scenarios.Select(s => Summarize(s, report.Scenarios.FirstOrDefault(r => r.Name == s.Reference && r != s))).ToList();

    public static ScenarioSummary Summarize(ScenarioResult scenario) => Summarize(scenario, reference: null);

    /// <summary>
    /// <paramref name="scenario"/> reduced to medians and ratios; when <paramref name="reference"/> is
    /// given, the last comparison is the subject against the subject in it, named <c>meshy in http1-small</c>.
    /// </summary>
    public static ScenarioSummary Summarize(ScenarioResult scenario, ScenarioResult? reference)
    {
        scenario = WithExcessOverBaseline(scenario);
        List<ProxySummary> proxies = scenario.Proxies.Select(p => SummarizeProxy(scenario, p)).ToList();
        ProxySummary? subject = proxies.FirstOrDefault(p => p.IsSubject);
        List<PeerComparison> comparisons = subject is null
            ? []
            : proxies.Where(p => !p.IsSubject).Select(peer => Compare(scenario, subject, peer)).ToList();
        if (subject is not null && reference is not null)
        {
            ScenarioResult other = WithExcessOverBaseline(reference);
            ProxySummary itself = SummarizeProxy(other, scenario.Subject) with { Proxy = $"{scenario.Subject} in {reference.Name}" };
            comparisons.Add(Compare(scenario, subject, itself));
        }
        return new ScenarioSummary(scenario, proxies, comparisons);
    }

    /// <summary>
    /// Adds every derived metric (<see cref="MetricDefinition.ExcessOverBaselineOf"/>) to the runs:
    /// a proxy's value minus the first baseline's in the same round, for each round where both
    /// measured it. The baseline itself gets none (its excess over itself is zero by definition, and
    /// a ratio to zero means nothing). Pairing by round keeps a drift of the machine between rounds
    /// out of the difference.
    /// </summary>
    public static ScenarioResult WithExcessOverBaseline(ScenarioResult scenario)
    {
        List<MetricDefinition> derived = scenario.Metrics.Where(m => m.ExcessOverBaselineOf is not null).ToList();
        string? baseline = scenario.Baselines.FirstOrDefault();
        if (derived.Count == 0 || baseline is null)
        {
            return scenario;
        }
        var baselineRuns = scenario.Runs
            .Where(r => r.Proxy == baseline && r.Status == RunStatus.Ok)
            .GroupBy(r => r.Round)
            .ToDictionary(g => g.Key, g => g.First());
        var runs = new List<RunSample>(scenario.Runs.Count);
        foreach (RunSample run in scenario.Runs)
        {
            if (run.Proxy == baseline || run.Status != RunStatus.Ok || !baselineRuns.TryGetValue(run.Round, out RunSample? reference))
            {
                runs.Add(run);
                continue;
            }
            var metrics = new Dictionary<string, double>(run.Metrics);
            foreach (MetricDefinition metric in derived)
            {
                string source = metric.ExcessOverBaselineOf!;
                if (run.Metrics.TryGetValue(source, out double mine) && reference.Metrics.TryGetValue(source, out double theirs))
                {
                    metrics[metric.Key] = mine - theirs;
                }
            }
            runs.Add(run with { Metrics = metrics });
        }
        return scenario with { Runs = runs };
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
                && theirs != 0
                // An excess at or below zero is within the noise of the baseline: no ratio to read.
                && (metric.ExcessOverBaselineOf is null || (mine > 0 && theirs > 0)))
            {
                // Rounds alternate the proxies (or run them at once when paired), so each round's own ratio meets one
                // host speed; their median is what the row shows. An excess over the baseline in alternated rounds is a
                // difference of runs minutes apart that may be near zero, so its ratio is of medians; so is a peer
                // never run in the same rounds (a reference scenario's).
                bool perRound = metric.ExcessOverBaselineOf is null || scenario.Paired;
                ratios[metric.Key] = (perRound ? RoundRatio(scenario, subject.Proxy, peer.Proxy, metric.Key) : null) ?? mine / theirs;
            }
        }
        return new PeerComparison(peer.Proxy, ProxyState.Ok, null, ratios);
    }

    /// <summary>
    /// The median over the rounds of <paramref name="subject"/>'s value ÷ <paramref name="peer"/>'s in the same
    /// round; null when no round has both (a peer from another scenario).
    /// </summary>
    private static double? RoundRatio(ScenarioResult scenario, string subject, string peer, string key)
    {
        var ratios = new List<double>();
        foreach (RunSample mine in scenario.Runs.Where(r => r.Proxy == subject && r.Status == RunStatus.Ok))
        {
            if (scenario.Runs.FirstOrDefault(r => r.Proxy == peer && r.Round == mine.Round && r.Status == RunStatus.Ok) is { } theirs
                && mine.Metrics.TryGetValue(key, out double value) && theirs.Metrics.TryGetValue(key, out double other) && other != 0)
            {
                ratios.Add(value / other);
            }
        }
        return ratios.Count == 0 ? null : Median(ratios);
    }

    private static readonly IReadOnlyDictionary<string, double> Empty = new Dictionary<string, double>();
}
