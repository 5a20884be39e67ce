using System.Globalization;
using System.Net;
using System.Text;

namespace Meshy.Bench.Load.Report;

/// <summary>
/// A single self-contained HTML page: inline CSS and inline SVG bar charts, no script, no external
/// asset, so it can be attached to an issue or opened from an air-gapped machine.
/// </summary>
internal static class HtmlReport
{
    private const int ChartWidth = 640;
    private const int LabelWidth = 110;
    private const int BarHeight = 20;
    private const int BarGap = 6;
    private const int ValueWidth = 110;

    public static string Render(BenchReport report)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Meshy load bench</title>\n<style>\n")
            .Append(Css)
            .Append("</style>\n</head>\n<body>\n<h1>Meshy load bench</h1>\n");
        html.Append("<p class=\"meta\">").Append(Text(TextReport.Header(report)).Replace("\n", "<br>\n", StringComparison.Ordinal)).Append("</p>\n");
        RenderTools(report, html);

        foreach (ScenarioSummary summary in ReportBuilder.Summarize(report))
        {
            RenderScenario(summary, html);
        }
        html.Append("<p class=\"meta\">Ratios are ").Append("subject median ÷ peer median (in a paired run: the median of each round's subject ÷ peer). Throughput: above 1 is better; ")
            .Append("CPU per unit, memory and latency: below 1 is better. ±N% is the spread (max − min) / median over the rounds. ")
            .Append("Cost ratios against a baseline (direct, no proxy) are not shown: its CPU figure is the noise floor of the proxy core. ")
            .Append("The exception is load core CPU, where direct's figure is the load side's own cost.</p>\n");
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void RenderTools(BenchReport report, StringBuilder html)
    {
        if (report.Tools.Count == 0)
        {
            return;
        }
        html.Append("<table class=\"tools\">\n<tr><th>tool</th><th>status</th><th>version or how to install</th></tr>\n");
        foreach (ToolInfo tool in report.Tools)
        {
            html.Append("<tr><td>").Append(Text(tool.Name)).Append("</td><td class=\"")
                .Append(tool.Available ? "ok\">found" : "bad\">missing")
                .Append("</td><td>").Append(Text(string.Join("; ", new[] { tool.Version, tool.Note }.OfType<string>()))).Append("</td></tr>\n");
        }
        html.Append("</table>\n");
    }

    private static void RenderScenario(ScenarioSummary summary, StringBuilder html)
    {
        ScenarioResult scenario = summary.Scenario;
        html.Append("<section>\n<h2>").Append(Text(scenario.Name)).Append(": ").Append(Text(scenario.Title)).Append("</h2>\n");
        html.Append("<p>").Append(Text(scenario.Description)).Append("</p>\n");
        if (scenario.SkipReason is not null)
        {
            html.Append("<p class=\"bad\">Skipped: ").Append(Text(scenario.SkipReason)).Append("</p>\n</section>\n");
            return;
        }

        html.Append("<table>\n<tr><th>proxy</th><th>runs</th>");
        foreach (MetricDefinition metric in scenario.Metrics)
        {
            html.Append("<th>").Append(Text(ValueFormat.ColumnTitle(metric))).Append("</th>");
        }
        html.Append("</tr>\n");
        foreach (ProxySummary proxy in summary.Proxies)
        {
            html.Append("<tr").Append(proxy.IsSubject ? " class=\"subject\"" : "").Append("><td>").Append(Text(ProxyLabel(proxy))).Append("</td>");
            if (proxy.State != ProxyState.Ok)
            {
                html.Append("<td colspan=\"").Append(scenario.Metrics.Count + 1).Append("\" class=\"bad\">")
                    .Append(TextReport.StateWord(proxy.State)).Append(": ").Append(Text(proxy.Note ?? "")).Append("</td></tr>\n");
                continue;
            }
            html.Append("<td>").Append(proxy.Runs).Append("</td>");
            foreach (MetricDefinition metric in scenario.Metrics)
            {
                string cell = proxy.Medians.TryGetValue(metric.Key, out double value)
                    ? ValueFormat.WithSpread(value, proxy.Spreads.TryGetValue(metric.Key, out double spread) ? spread : null)
                    : "–";
                html.Append("<td class=\"num\">").Append(Text(cell)).Append("</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</table>\n");
        RenderComparisons(summary, html);

        html.Append("<div class=\"charts\">\n");
        foreach (MetricDefinition metric in scenario.Metrics.Where(m => m.Chart))
        {
            RenderChart(summary, metric, html);
        }
        html.Append("</div>\n</section>\n");
    }

    private static void RenderComparisons(ScenarioSummary summary, StringBuilder html)
    {
        if (summary.Comparisons.Count == 0)
        {
            return;
        }
        ScenarioResult scenario = summary.Scenario;
        List<MetricDefinition> compared = scenario.Metrics.Where(m => m.Kind != MetricKind.Info).ToList();
        html.Append("<table class=\"ratios\">\n<tr><th>").Append(Text(scenario.Subject)).Append(" ÷ peer</th>");
        foreach (MetricDefinition metric in compared)
        {
            html.Append("<th>").Append(Text(metric.Label)).Append("</th>");
        }
        html.Append("</tr>\n");
        foreach (PeerComparison comparison in summary.Comparisons)
        {
            html.Append("<tr><td>").Append(Text(comparison.Peer)).Append("</td>");
            if (comparison.State != ProxyState.Ok)
            {
                html.Append("<td colspan=\"").Append(compared.Count).Append("\" class=\"bad\">n/a, ").Append(Text(comparison.Note ?? "")).Append("</td></tr>\n");
                continue;
            }
            if (comparison.Ratios.Count == 0)
            {
                html.Append("<td colspan=\"").Append(compared.Count).Append("\">nothing comparable (a baseline runs no proxy, so costs are not compared)</td></tr>\n");
                continue;
            }
            foreach (MetricDefinition metric in compared)
            {
                if (comparison.Ratios.TryGetValue(metric.Key, out double ratio))
                {
                    string text = ValueFormat.Ratio(ratio, metric.Better);
                    string css = text.EndsWith("better", StringComparison.Ordinal) ? "good" : text.EndsWith("worse", StringComparison.Ordinal) ? "bad" : "";
                    html.Append("<td class=\"num ").Append(css).Append("\">").Append(Text(text)).Append("</td>");
                }
                else
                {
                    html.Append("<td class=\"num\">–</td>");
                }
            }
            html.Append("</tr>\n");
        }
        html.Append("</table>\n");
    }

    /// <summary>Horizontal bars, one per proxy in alternation order; a proxy without a value gets its reason instead of a bar.</summary>
    private static void RenderChart(ScenarioSummary summary, MetricDefinition metric, StringBuilder html)
    {
        IReadOnlyList<ProxySummary> proxies = summary.Proxies;
        double max = proxies.Select(p => p.Medians.TryGetValue(metric.Key, out double v) ? v : 0).DefaultIfEmpty(0).Max();
        int height = (proxies.Count * (BarHeight + BarGap)) + 30;
        int barSpace = ChartWidth - LabelWidth - ValueWidth;
        string direction = metric.Better == MetricBetter.Higher ? "higher is better" : "lower is better";

        html.Append("<figure>\n<figcaption>").Append(Text(ValueFormat.ColumnTitle(metric))).Append(", ").Append(direction).Append("</figcaption>\n");
        html.Append(Invariant($"<svg width=\"{ChartWidth}\" height=\"{height}\" viewBox=\"0 0 {ChartWidth} {height}\" role=\"img\">\n"));
        for (int i = 0; i < proxies.Count; i++)
        {
            ProxySummary proxy = proxies[i];
            int y = 10 + (i * (BarHeight + BarGap));
            int textY = y + 15;
            html.Append(Invariant($"<text x=\"{LabelWidth - 8}\" y=\"{textY}\" text-anchor=\"end\">")).Append(Text(proxy.Proxy)).Append("</text>\n");
            if (proxy.Medians.TryGetValue(metric.Key, out double value))
            {
                double width = max > 0 ? Math.Max(1, value / max * barSpace) : 1;
                string fill = proxy.IsSubject ? "#d9480f" : proxy.IsBaseline ? "#adb5bd" : "#495057";
                html.Append(Invariant($"<rect x=\"{LabelWidth}\" y=\"{y}\" width=\"{width:F1}\" height=\"{BarHeight}\" fill=\"{fill}\"/>\n"));
                html.Append(Invariant($"<text x=\"{LabelWidth + width + 6:F1}\" y=\"{textY}\">")).Append(Text(ValueFormat.Number(value))).Append("</text>\n");
            }
            else
            {
                string reason = proxy.State == ProxyState.Ok ? "not applicable" : $"{TextReport.StateWord(proxy.State)}: {proxy.Note}";
                if (reason.Length > 80)
                {
                    reason = reason[..77] + "...";
                }
                html.Append(Invariant($"<text x=\"{LabelWidth}\" y=\"{textY}\" class=\"missing\">")).Append(Text(reason)).Append("</text>\n");
            }
        }
        html.Append("</svg>\n</figure>\n");
    }

    private static string ProxyLabel(ProxySummary proxy) => proxy.IsBaseline ? $"{proxy.Proxy} (baseline)" : proxy.Proxy;

    /// <summary>
    /// HTML-escapes <paramref name="text"/>. The ':' of "://" is written as an entity: it renders the
    /// same, and the page then holds no URL at all (error messages can quote the proxied URL), which
    /// is what the self-containment check looks for.
    /// </summary>
    private static string Text(string text) => WebUtility.HtmlEncode(text).Replace("://", "&#58;//", StringComparison.Ordinal);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private const string Css = """
        body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #212529; padding: 0 1em; }
        h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #dee2e6; }
        table { border-collapse: collapse; margin: .8em 0; }
        th, td { padding: .25em .7em; border-bottom: 1px solid #e9ecef; text-align: left; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        tr.subject td:first-child { font-weight: 600; color: #d9480f; }
        .bad { color: #c92a2a; } .good { color: #2b8a3e; } .ok { color: #2b8a3e; }
        .meta { color: #495057; font-size: .9em; }
        .charts { display: flex; flex-wrap: wrap; gap: 1.5em; }
        figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: .3em; }
        svg text { font: 12px system-ui, sans-serif; fill: #212529; } svg text.missing { fill: #868e96; font-style: italic; }

        """;
}
