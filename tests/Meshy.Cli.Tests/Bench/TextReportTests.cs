using Meshy.Bench.Load.Report;

namespace Meshy.Cli.Tests.Bench;

public sealed class TextReportTests
{
    [Fact]
    public void Render_SkippedPeer_PrintsSkippedWithTheInstallCommand()
    {
        string text = TextReport.Render(SampleReports.Report());

        Assert.Contains($"nginx              skipped: {SampleReports.NginxReason}", text, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y wrk", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Measured_PrintsMediansAndRatiosWithVerdicts()
    {
        string text = TextReport.Render(SampleReports.Report());

        Assert.Contains("1100 ±18%", text, StringComparison.Ordinal);
        Assert.Contains("0.50× worse", text, StringComparison.Ordinal);   // throughput vs haproxy
        Assert.Contains("2.00× worse", text, StringComparison.Ordinal);   // CPU per GB vs haproxy
        Assert.Contains("direct (baseline)", text, StringComparison.Ordinal);
    }
}
