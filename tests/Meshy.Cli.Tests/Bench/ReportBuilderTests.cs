using Meshy.Bench.Load.Report;

namespace Meshy.Cli.Tests.Bench;

public sealed class ReportBuilderTests
{
    [Fact]
    public void Summarize_TwoRounds_MedianIsMeanOfBothAndSpreadIsRangeOverMedian()
    {
        ScenarioSummary summary = ReportBuilder.Summarize(SampleReports.Tcp());

        ProxySummary meshy = summary.Proxies.Single(p => p.Proxy == "meshy");
        Assert.Equal(ProxyState.Ok, meshy.State);
        Assert.Equal(2, meshy.Runs);
        Assert.Equal(1100, meshy.Medians["throughput"], precision: 9);
        Assert.Equal(0.6, meshy.Medians["cpu_per_gb"], precision: 9);
        Assert.Equal(42, meshy.Medians["peak_rss"], precision: 9);
        Assert.Equal(200.0 / 1100, meshy.Spreads["throughput"], precision: 9);
    }

    [Fact]
    public void Summarize_SubjectAndPeerMeasured_RatiosAreTheMedianOfEachRoundsRatio()
    {
        ScenarioSummary summary = ReportBuilder.Summarize(SampleReports.Tcp());

        PeerComparison haproxy = summary.Comparisons.Single(c => c.Peer == "haproxy");
        Assert.Equal(ProxyState.Ok, haproxy.State);
        Assert.Equal(0.5, haproxy.Ratios["throughput"], precision: 9);
        Assert.Equal(2.0, haproxy.Ratios["cpu_per_gb"], precision: 9);
        Assert.Equal(4.2, haproxy.Ratios["peak_rss"], precision: 9);
    }

    [Fact]
    public void Summarize_PairedOrAlternated_RatioIsTheMedianOfEachRoundsOwn()
    {
        // Each round met its own host speed: meshy is 0.9x haproxy in two of three rounds, 1.05x in the other.
        // The ratio of medians (21 / 20) would say meshy costs more; the rounds say it costs less, whether the
        // proxies of a round ran at once (paired) or one after the other.
        ScenarioResult paired = SampleReports.Tcp() with
        {
            Proxies = ["meshy", "haproxy"],
            Baselines = [],
            Skipped = [],
            Paired = true,
            Runs =
            [
                SampleReports.Ok("meshy", 1, 1000, 10, 40), SampleReports.Ok("haproxy", 1, 2000, 11.1111111111, 10),
                SampleReports.Ok("meshy", 2, 1000, 21, 40), SampleReports.Ok("haproxy", 2, 2000, 20, 10),
                SampleReports.Ok("meshy", 3, 1000, 40, 40), SampleReports.Ok("haproxy", 3, 2000, 44.4444444444, 10),
            ],
        };

        PeerComparison haproxy = ReportBuilder.Summarize(paired).Comparisons.Single(c => c.Peer == "haproxy");
        Assert.Equal(0.9, haproxy.Ratios["cpu_per_gb"], precision: 6);
        Assert.Equal(0.9, ReportBuilder.Summarize(paired with { Paired = false }).Comparisons.Single(c => c.Peer == "haproxy").Ratios["cpu_per_gb"], precision: 6);
    }

    [Fact]
    public void Summarize_InfoMetric_HasNoRatio()
    {
        ScenarioSummary summary = ReportBuilder.Summarize(SampleReports.Tcp());

        Assert.DoesNotContain("errors", summary.Comparisons.Single(c => c.Peer == "haproxy").Ratios.Keys);
    }

    [Fact]
    public void Summarize_BaselinePeer_ComparesThroughputButNotCosts()
    {
        ScenarioSummary summary = ReportBuilder.Summarize(SampleReports.Tcp());

        PeerComparison direct = summary.Comparisons.Single(c => c.Peer == "direct");
        Assert.Equal(((1000.0 / 4000) + (1200.0 / 4400)) / 2, direct.Ratios["throughput"], precision: 9);   // each round its own ratio
        Assert.DoesNotContain("cpu_per_gb", direct.Ratios.Keys);
        Assert.True(summary.Proxies.Single(p => p.Proxy == "direct").IsBaseline);
    }

    [Fact]
    public void Summarize_LoadCoreCost_ComparedWithTheBaselineAsWithPeers()
    {
        // The load side's core per GB: direct's figure is the load side's own cost, so a proxy's ratio to it says
        // how much the proxy adds there, unlike its own core's cost, whose direct figure is only the idle floor.
        var loadCpu = new MetricDefinition("load_cpu_per_gb", "load core CPU", "s/GB", MetricBetter.Lower, MetricKind.LoadCost, Chart: false);
        double[] perRun = [1.1, 1.3, 1.0, 1.2, 1.4, 1.0];   // meshy, haproxy, direct in round 1, then round 2
        ScenarioResult tcp = SampleReports.Tcp();
        ScenarioResult withLoad = tcp with
        {
            Metrics = [.. tcp.Metrics, loadCpu],
            Runs = [.. tcp.Runs.Select((run, i) => run with { Metrics = new Dictionary<string, double>(run.Metrics) { [loadCpu.Key] = perRun[i] } })],
        };

        ScenarioSummary summary = ReportBuilder.Summarize(withLoad);

        PeerComparison direct = summary.Comparisons.Single(c => c.Peer == "direct");
        Assert.Equal(((1.1 / 1.0) + (1.2 / 1.0)) / 2, direct.Ratios["load_cpu_per_gb"], precision: 9);
        Assert.DoesNotContain("cpu_per_gb", direct.Ratios.Keys);
        Assert.Equal(((1.1 / 1.3) + (1.2 / 1.4)) / 2, summary.Comparisons.Single(c => c.Peer == "haproxy").Ratios["load_cpu_per_gb"], precision: 9);
    }

    [Fact]
    public void Summarize_SkippedPeer_IsSkippedWithItsReasonAndHasNoRatios()
    {
        ScenarioSummary summary = ReportBuilder.Summarize(SampleReports.Tcp());

        ProxySummary nginx = summary.Proxies.Single(p => p.Proxy == "nginx");
        Assert.Equal(ProxyState.Skipped, nginx.State);
        Assert.Equal(SampleReports.NginxReason, nginx.Note);
        Assert.Empty(nginx.Medians);
        PeerComparison comparison = summary.Comparisons.Single(c => c.Peer == "nginx");
        Assert.Equal(ProxyState.Skipped, comparison.State);
        Assert.Equal(SampleReports.NginxReason, comparison.Note);
        Assert.Empty(comparison.Ratios);
    }

    [Fact]
    public void Summarize_SubjectFailedEveryRun_EveryComparisonSaysSubjectFailedAndWhy()
    {
        ScenarioResult scenario = SampleReports.Tcp() with
        {
            Runs = [.. SampleReports.Tcp().Runs.Where(r => r.Proxy != "meshy"), SampleReports.Failed("meshy", 1, "did not answer within 5s")],
        };

        ScenarioSummary summary = ReportBuilder.Summarize(scenario);

        ProxySummary meshy = summary.Proxies.Single(p => p.Proxy == "meshy");
        Assert.Equal(ProxyState.Failed, meshy.State);
        Assert.Equal("did not answer within 5s", meshy.Note);
        Assert.All(summary.Comparisons, c =>
        {
            Assert.Equal(ProxyState.Failed, c.State);
            Assert.Equal("meshy failed (see its row)", c.Note);
            Assert.Empty(c.Ratios);
        });
    }

    [Fact]
    public void Summarize_OneOfTwoRunsFailed_UsesTheMeasuredRunAndNotesTheFailure()
    {
        ScenarioResult scenario = SampleReports.Tcp() with
        {
            Runs = [SampleReports.Ok("meshy", 1, 1000, 0.5, 40), SampleReports.Failed("meshy", 2, "reset"), .. SampleReports.Tcp().Runs.Where(r => r.Proxy != "meshy")],
        };

        ProxySummary meshy = ReportBuilder.Summarize(scenario).Proxies.Single(p => p.Proxy == "meshy");

        Assert.Equal(ProxyState.Ok, meshy.State);
        Assert.Equal(1, meshy.Runs);
        Assert.Equal(1000, meshy.Medians["throughput"]);
        Assert.Empty(meshy.Spreads);
        Assert.Equal("1 of 2 runs failed: reset", meshy.Note);
    }

    [Fact]
    public void Summarize_ScenarioSkipped_EveryProxyIsSkippedWithTheScenarioReason()
    {
        ScenarioResult scenario = SampleReports.Tcp() with { Runs = [], Skipped = [], SkipReason = "wrk is not installed (apt-get install -y wrk)" };

        ScenarioSummary summary = ReportBuilder.Summarize(scenario);

        Assert.All(summary.Proxies, p =>
        {
            Assert.Equal(ProxyState.Skipped, p.State);
            Assert.Equal("wrk is not installed (apt-get install -y wrk)", p.Note);
        });
    }

    [Fact]
    public void Summarize_ProxyNeverRun_IsSkippedAsNotRun()
    {
        ScenarioResult scenario = SampleReports.Tcp() with { Runs = [.. SampleReports.Tcp().Runs.Where(r => r.Proxy != "haproxy")] };

        ProxySummary haproxy = ReportBuilder.Summarize(scenario).Proxies.Single(p => p.Proxy == "haproxy");

        Assert.Equal(ProxyState.Skipped, haproxy.State);
        Assert.Equal("not run", haproxy.Note);
    }

    [Fact]
    public void Summarize_ExcessOverBaseline_IsMedianOfPerRoundDifferencesWithDirect()
    {
        ScenarioSummary summary = ReportBuilder.Summarize(SampleReports.Latency());

        ProxySummary meshy = summary.Proxies.Single(p => p.Proxy == "meshy");
        ProxySummary haproxy = summary.Proxies.Single(p => p.Proxy == "haproxy");
        // Not the difference of medians (0.6 − 0.3 and 0.5 − 0.3): each round against its own direct.
        Assert.Equal(0.2, meshy.Medians["added_p99_ms"], precision: 9);
        Assert.Equal(0.3, haproxy.Medians["added_p99_ms"], precision: 9);
        Assert.Equal(0.6, meshy.Medians["p99_ms"], precision: 9);
        Assert.DoesNotContain("added_p99_ms", summary.Proxies.Single(p => p.Proxy == "direct").Medians.Keys);
        Assert.Equal(0.2 / 0.3, summary.Comparisons.Single(c => c.Peer == "haproxy").Ratios["added_p99_ms"], precision: 9);
        Assert.DoesNotContain("added_p99_ms", summary.Comparisons.Single(c => c.Peer == "direct").Ratios.Keys);
    }

    [Fact]
    public void Summarize_ExcessOverBaselineWithoutBaselineInThatRound_LeavesThatRoundOut()
    {
        ScenarioResult scenario = SampleReports.Latency() with
        {
            Runs = [.. SampleReports.Latency().Runs.Where(r => !(r.Proxy == "direct" && r.Round == 3))],
        };

        ProxySummary meshy = ReportBuilder.Summarize(scenario).Proxies.Single(p => p.Proxy == "meshy");

        Assert.Equal((0.1 + 0.2) / 2, meshy.Medians["added_p99_ms"], precision: 9);
    }

    [Fact]
    public void Summarize_ExcessAtOrBelowZero_HasNoRatio()
    {
        ScenarioResult scenario = SampleReports.Latency() with
        {
            Runs = [.. SampleReports.Latency().Runs.Select(r => r.Proxy == "haproxy" ? SampleReports.Latency("haproxy", r.Round, 0.1) : r)],
        };

        PeerComparison haproxy = ReportBuilder.Summarize(scenario).Comparisons.Single(c => c.Peer == "haproxy");

        Assert.DoesNotContain("added_p99_ms", haproxy.Ratios.Keys);
        Assert.Equal(6.0, haproxy.Ratios["p99_ms"], precision: 9);
    }

    [Fact]
    public void Summarize_ReportWithReferenceScenario_ComparesSubjectWithItselfThere()
    {
        ScenarioResult small = SampleReports.Tcp() with { Name = "http1-small" };
        ScenarioResult observed = SampleReports.Tcp() with
        {
            Name = "http1-observed",
            Reference = "http1-small",
            Runs = [SampleReports.Ok("meshy", 1, 1045, 0.6, 42), .. SampleReports.Tcp().Runs.Where(r => r.Proxy != "meshy")],
        };

        ScenarioSummary summary = ReportBuilder.Summarize(SampleReports.Report(small, observed))[1];

        PeerComparison itself = summary.Comparisons[^1];
        Assert.Equal("meshy in http1-small", itself.Peer);
        Assert.Equal(0.95, itself.Ratios["throughput"], precision: 9);
        Assert.Equal(1.0, itself.Ratios["cpu_per_gb"], precision: 9);
    }

    [Theory]
    [InlineData(new[] { 3.0 }, 3.0)]
    [InlineData(new[] { 5.0, 1.0, 3.0 }, 3.0)]
    [InlineData(new[] { 4.0, 1.0, 3.0, 2.0 }, 2.5)]
    public void Median_AnyOrder_IsTheMiddleValue(double[] values, double expected)
    {
        Assert.Equal(expected, ReportBuilder.Median(values));
    }

    // MetricBetter is internal to the bench, so the theory takes a bool (xUnit test methods are public).
    [Theory]
    [InlineData(0.5, true, "0.50× worse")]
    [InlineData(0.5, false, "0.50× better")]
    [InlineData(2.0, true, "2.00× better")]
    [InlineData(1.01, false, "1.01× same")]
    public void Ratio_Direction_VerdictFollowsWhichWayIsBetter(double ratio, bool higherIsBetter, string expected)
    {
        Assert.Equal(expected, ValueFormat.Ratio(ratio, higherIsBetter ? MetricBetter.Higher : MetricBetter.Lower));
    }
}
