using Meshy.Bench.Load.Report;

namespace Meshy.Cli.Tests.Bench;

public sealed class HtmlReportTests
{
    [Fact]
    public void Render_Report_IsSelfContained()
    {
        // An error message quoting a URL must not turn into one either.
        ScenarioResult scenario = SampleReports.Tcp() with
        {
            Runs = [.. SampleReports.Tcp().Runs.Where(r => r.Proxy != "meshy"), SampleReports.Failed("meshy", 1, "GET http://127.0.0.1:8080/ failed, see https://example.com")],
        };

        string html = HtmlReport.Render(SampleReports.Report(scenario));

        Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Render_Report_NamesEveryProxy()
    {
        string html = HtmlReport.Render(SampleReports.Report());

        foreach (string proxy in SampleReports.Tcp().Proxies)
        {
            Assert.Contains($">{proxy}</text>", html, StringComparison.Ordinal);   // in the charts
            Assert.Contains($"<td>{proxy}", html, StringComparison.Ordinal);       // in the table
        }
    }

    [Fact]
    public void Render_Report_DrawsOneSvgChartPerChartedMetric()
    {
        string html = HtmlReport.Render(SampleReports.Report());

        int charted = SampleReports.Tcp().Metrics.Count(m => m.Chart);
        Assert.Equal(charted, html.Split("<svg ").Length - 1);
        Assert.Contains("throughput (MB/s), higher is better", html, StringComparison.Ordinal);
        Assert.Contains("CPU core (s/GB), lower is better", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SkippedPeer_ShowsSkippedWithTheReasonEscaped()
    {
        string html = HtmlReport.Render(SampleReports.Report());

        Assert.Contains("skipped: this nginx has no stream {} module; apt-get install -y libnginx-mod-stream", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_MarkupInMessages_IsEscaped()
    {
        ScenarioResult scenario = SampleReports.Tcp() with { Skipped = [new SkippedProxy("nginx", "<b>bad</b> & worse")] };

        string html = HtmlReport.Render(SampleReports.Report(scenario));

        Assert.Contains("&lt;b&gt;bad&lt;/b&gt; &amp; worse", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>bad</b>", html, StringComparison.Ordinal);
    }
}
