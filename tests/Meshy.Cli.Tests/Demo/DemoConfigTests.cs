using Meshy.Cli.Demo;
using Meshy.Conf.Loading;
using Meshy.Testing;

namespace Meshy.Cli.Tests.Demo;

/// <summary>conf/demo.toml and the variants the tour writes: all valid, and the shipped file is what the demo runs.</summary>
public sealed class DemoConfigTests
{
    private const string ShippedPath = "conf/demo.toml";

    [Fact]
    public async Task Validate_ShippedDemoConfig_ExitsZeroWithOneSummaryLine()
    {
        (int exitCode, string stdout, string stderr) = await MeshyProcess.RunToEndAsync(["validate", "--config", ShippedPath], RepositoryRoot.Path);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal($"{ShippedPath}: ok: 1 listener, 1 route table, 2 clusters, 4 endpoints", stdout.TrimEnd('\n'));
    }

    [Fact]
    public void Render_ShippedConfig_EqualsConfDemoToml()
    {
        string shipped = File.ReadAllText(System.IO.Path.Combine(RepositoryRoot.Path, ShippedPath));

        // The demo writes Render() of its config; the checked-in file must be the same text with the fixed ports.
        Assert.Equal(DemoConfig.Shipped.Render(), shipped.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Render_EveryStepVariant_LoadsWithoutDiagnostics()
    {
        DemoConfig base_ = DemoConfig.Shipped;
        DemoConfig[] variants =
        [
            base_,
            base_ with { Split = [("v1", 50), ("v2", 50)] },
            base_ with { Split = [("v3", 100)] },
            base_ with { Delay = (DemoTour.DelayPercent, "200ms") },
            base_ with { Abort = (DemoTour.AbortPercent, DemoTour.AbortStatus) },
            base_ with { MirrorPercent = 100 },
            base_ with { MaxRequests = DemoTour.MaxRequests },
            base_ with { Split = [("v1", 50), ("v2", 50)], Consecutive5xx = DemoTour.Consecutive5xx },
            base_ with { Delay = (0.5, "1.5s"), Abort = (0.1, 500), MirrorPercent = 12.5, MaxRequests = 1, Consecutive5xx = 1 },
        ];

        foreach (DemoConfig variant in variants)
        {
            ConfigLoadResult loaded = ConfigLoader.LoadText(variant.Render(), "demo.toml");
            Assert.Empty(loaded.Diagnostics.Select(d => d.ToString()));
        }
    }

    [Fact]
    public void Render_AllFeatures_ParsesToTheConfiguredValues()
    {
        string toml = (DemoConfig.Shipped with { Delay = (80, "200ms"), Abort = (30, 503), MirrorPercent = 100, MaxRequests = 2, Consecutive5xx = 3 }).Render();

        ConfigLoadResult loaded = ConfigLoader.LoadText(toml, "demo.toml");

        Assert.True(loaded.Success);
        Meshy.Conf.Schema.RouteRuleConfig rule = loaded.Config!.Routes[0].Rules[1];
        Assert.Equal("default", rule.Name);
        Assert.Equal(80, rule.Fault!.Delay!.Percent);
        Assert.Equal(TimeSpan.FromMilliseconds(200), rule.Fault.Delay.Fixed);
        Assert.Equal(30, rule.Fault.Abort!.Percent);
        Assert.Equal(503, rule.Fault.Abort.Status);
        Assert.Equal("shadow", rule.Mirror!.Cluster);
        Assert.Equal(100, rule.Mirror.Percent);
        Meshy.Conf.Schema.ClusterConfig app = loaded.Config.Clusters[0];
        Assert.Equal(2, app.Limits.MaxRequests);
        Assert.Equal(3, app.OutlierDetection!.Consecutive5xx);
        Assert.Equal(50, app.OutlierDetection.MaxEjectionPercent);
        Assert.Equal("iphone", loaded.Config.Routes[0].Rules[0].Name);
    }
}
