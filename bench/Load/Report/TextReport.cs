using System.Text;

namespace Meshy.Bench.Load.Report;

/// <summary>The tables printed at the end of a run: one per scenario, then the ratios of the subject to each peer.</summary>
internal static class TextReport
{
    public static string Render(BenchReport report)
    {
        var output = new StringBuilder();
        output.Append(Header(report)).Append('\n');
        foreach (ScenarioSummary summary in ReportBuilder.Summarize(report))
        {
            output.Append('\n');
            RenderScenario(summary, output);
        }

        List<ToolInfo> notes = report.Tools.Where(t => !t.Available || t.Note is not null).ToList();
        if (notes.Count > 0)
        {
            output.Append("\nmissing or limited tools:\n");
            foreach (ToolInfo tool in notes)
            {
                string state = tool.Available ? "limited" : "not installed";
                output.Append("  ").Append(tool.Name).Append(" (").Append(state).Append("): ").Append(tool.Note).Append('\n');
            }
        }
        return output.ToString();
    }

    /// <summary>Two lines saying where and how the figures were taken.</summary>
    public static string Header(BenchReport report)
    {
        MachineInfo machine = report.Machine;
        RunSettings settings = report.Settings;
        string interrupted = report.Interrupted ? " (INTERRUPTED: partial results)" : "";
        return $"Meshy load bench, {report.StartedAt:yyyy-MM-dd HH:mm}Z{interrupted}: {machine.Cores} cores ({machine.Cpu}), "
            + $"Linux {machine.Kernel}, {machine.Runtime}, commit {machine.Commit}, load average at start {machine.LoadAverage}\n"
            + $"proxy pinned to CPU {settings.ProxyCpu}, load generator and upstream to CPU {settings.LoadCpu}"
            + (settings.Extra.TryGetValue("scheduling", out string? scheduling) ? $", all with {scheduling}; " : "; ")
            + $"{settings.Duration} per run after {settings.Warmup} warm-up; rounds: {settings.Rounds}, "
            + (settings.Extra.TryGetValue("paired", out string? paired) && paired == "yes"
                ? "proxies of a round run at the same time on the proxy core (paired: compare proxy process CPU, not CPU core)"
                : "proxies alternated within each round")
            + "; a ratio is the median of each round's own (an added latency's, unpaired, is of the medians)";
    }

    public static void RenderScenario(ScenarioSummary summary, StringBuilder output)
    {
        ScenarioResult scenario = summary.Scenario;
        output.Append("== ").Append(scenario.Name).Append(": ").Append(scenario.Title).Append(" ==\n");
        output.Append(scenario.Description).Append('\n');
        if (scenario.SkipReason is not null)
        {
            output.Append("SKIPPED: ").Append(scenario.SkipReason).Append('\n');
            return;
        }

        var table = new TextTable(["proxy", "runs", .. scenario.Metrics.Select(ValueFormat.ColumnTitle)]);
        foreach (ProxySummary proxy in summary.Proxies)
        {
            string name = proxy.IsBaseline ? $"{proxy.Proxy} (baseline)" : proxy.Proxy;
            if (proxy.State != ProxyState.Ok)
            {
                table.AddNote(name, $"{StateWord(proxy.State)}: {proxy.Note}");
                continue;
            }
            var cells = new List<string> { name, proxy.Runs.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            foreach (MetricDefinition metric in scenario.Metrics)
            {
                cells.Add(proxy.Medians.TryGetValue(metric.Key, out double value)
                    ? ValueFormat.WithSpread(value, proxy.Spreads.TryGetValue(metric.Key, out double spread) ? spread : null)
                    : "-");
            }
            table.AddRow([.. cells]);
            if (proxy.Note is not null)
            {
                table.AddNote("", $"note: {proxy.Note}");
            }
        }
        table.Render(output);

        if (summary.Comparisons.Count == 0)
        {
            return;
        }
        List<MetricDefinition> compared = scenario.Metrics.Where(m => m.Kind != MetricKind.Info).ToList();
        output.Append('\n');
        var ratios = new TextTable([$"{scenario.Subject} ÷ peer", .. compared.Select(m => m.Label)]);
        foreach (PeerComparison comparison in summary.Comparisons)
        {
            if (comparison.State != ProxyState.Ok)
            {
                ratios.AddNote(comparison.Peer, $"n/a, {comparison.Note}");
                continue;
            }
            if (comparison.Ratios.Count == 0)
            {
                ratios.AddNote(comparison.Peer, "nothing comparable (a baseline runs no proxy, so costs are not compared)");
                continue;
            }
            ratios.AddRow([
                comparison.Peer,
                .. compared.Select(m => comparison.Ratios.TryGetValue(m.Key, out double ratio) ? ValueFormat.Ratio(ratio, m.Better) : "-"),
            ]);
        }
        ratios.Render(output);
    }

    public static string StateWord(ProxyState state) => state switch
    {
        ProxyState.Ok => "ok",
        ProxyState.Failed => "FAILED",
        _ => "skipped",
    };
}
