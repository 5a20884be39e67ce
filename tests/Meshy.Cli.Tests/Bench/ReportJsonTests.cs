using Meshy.Bench.Load.Report;

namespace Meshy.Cli.Tests.Bench;

public sealed class ReportJsonTests
{
    [Fact]
    public void Deserialize_SerializedReport_RoundTripsEveryField()
    {
        BenchReport original = SampleReports.Report(SampleReports.Tcp(), SampleReports.Tcp() with
        {
            Name = "http1-small",
            Runs = [SampleReports.Failed("meshy", 1, "GET / answered 502")],
            SkipReason = null,
        });
        string json = ReportJson.Serialize(original);

        BenchReport copy = ReportJson.Deserialize(json);

        Assert.Equal(json, ReportJson.Serialize(copy));
        Assert.Equal(original.StartedAt, copy.StartedAt);
        Assert.Equal(original.Machine, copy.Machine);
        Assert.Equal(original.Tools, copy.Tools);
        Assert.Equal(original.Scenarios[0].Metrics, copy.Scenarios[0].Metrics);
        Assert.Equal(original.Scenarios[0].Skipped, copy.Scenarios[0].Skipped);
        Assert.Equal(1100, ReportBuilder.Summarize(copy.Scenarios[0]).Proxies[0].Medians["throughput"], precision: 9);
        Assert.Equal(RunStatus.Failed, copy.Scenarios[1].Runs[0].Status);
    }

    [Fact]
    public void Serialize_Report_UsesSnakeCaseKeysAndEnumNames()
    {
        string json = ReportJson.Serialize(SampleReports.Report());

        Assert.Contains("\"started_at\"", json, StringComparison.Ordinal);
        Assert.Contains("\"proxy_cpu\": 1", json, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"Ok\"", json, StringComparison.Ordinal);
        Assert.Contains("\"better\": \"Higher\"", json, StringComparison.Ordinal);
    }
}
