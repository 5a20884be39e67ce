using System.Net;
using Meshy.Bench.Load.Proxies;
using Meshy.Bench.Load.Scenarios;
using Meshy.Conf.Loading;
using Meshy.Conf.Schema;
using Meshy.Engine.Runtime;
using Meshy.Engine.Upstream;

namespace Meshy.Cli.Tests.Bench;

/// <summary>The config the load runner writes for Meshy: valid for every scenario, and saying what the scenario measures.</summary>
public sealed class MeshyLauncherConfigTests
{
    private static readonly IPEndPoint Upstream = new(IPAddress.Loopback, 9001);
    private static readonly IPEndPoint Shadow = new(IPAddress.Loopback, 9002);
    private static readonly MeshyBinary Binary = new(null, "test", null);

    [Theory]
    [InlineData("Tcp", "Plain")]
    [InlineData("Http1", "Plain")]
    [InlineData("Http1", "Weighted99To1")]
    [InlineData("Http1", "Mirror100")]
    [InlineData("Http1", "Resilient")]
    [InlineData("Http2Cleartext", "Plain")]
    [InlineData("Http2CleartextBothWays", "Plain")]
    public void Config_EveryScenario_LoadsWithoutDiagnostics(string mode, string routing)
    {
        ConfigLoadResult loaded = Load(Enum.Parse<ProxyMode>(mode), Enum.Parse<MeshyRouting>(routing));

        Assert.True(loaded.Success, string.Join('\n', loaded.Diagnostics.Select(d => d.ToString())));
        ClusterConfig upstream = Assert.Single(loaded.Config!.Clusters, c => c.Name == "upstream");
        Assert.Equal("127.0.0.1:9001", Assert.Single(upstream.Endpoints).Address.Text);
    }

    [Fact]
    public void Config_H2cBothWays_UpstreamClusterSpeaksHttp2()
    {
        ConfigLoadResult loaded = Load(ProxyMode.Http2CleartextBothWays, MeshyRouting.Plain);

        Assert.True(loaded.Success, string.Join('\n', loaded.Diagnostics.Select(d => d.ToString())));
        Assert.Equal(UpstreamProtocol.Http2, Assert.Single(loaded.Config!.Clusters).Protocol);
    }

    [Theory]
    [InlineData("Http1")]
    [InlineData("Http2Cleartext")]
    public void Config_Http1Upstream_UpstreamClusterSpeaksHttp1(string mode)
    {
        MeshyConfig config = Load(Enum.Parse<ProxyMode>(mode), MeshyRouting.Plain).Config!;

        Assert.Equal(UpstreamProtocol.Http1, Assert.Single(config.Clusters).Protocol);
    }

    [Fact]
    public void Config_Mirror100_MirrorsEveryRequestToTheSecondUpstream()
    {
        MeshyConfig config = Load(ProxyMode.Http1, MeshyRouting.Mirror100).Config!;

        RouteRuleConfig rule = Assert.Single(Assert.Single(config.Routes).Rules);
        Assert.Equal("shadow", rule.Mirror!.Cluster);
        Assert.Equal(100, rule.Mirror.Percent);
        Assert.Equal("127.0.0.1:9002", Assert.Single(Assert.Single(config.Clusters, c => c.Name == "shadow").Endpoints).Address.Text);
    }

    [Fact]
    public void Config_Resilient_ConfiguresEverySettingAtValuesThatNeverTrigger()
    {
        MeshyConfig config = Load(ProxyMode.Http1, MeshyRouting.Resilient).Config!;

        RouteRuleConfig rule = Assert.Single(Assert.Single(config.Routes).Rules);
        Assert.Equal(0, rule.Fault!.Delay!.Percent);
        Assert.Equal(0, rule.Fault.Abort!.Percent);
        Assert.NotNull(rule.Retries);
        Assert.NotNull(rule.Timeout);
        ClusterConfig upstream = Assert.Single(config.Clusters);
        Assert.NotNull(upstream.OutlierDetection);
        Assert.NotNull(upstream.HealthCheck);
        Assert.Equal(100_000, upstream.Limits.MaxRequests);
    }

    [Fact]
    public void MeshyPlain_InAMirroredScenario_RunsThePlainRouteWithoutTheMirror()
    {
        var plain = new MeshyLauncher(Binary, ProxyCatalog.MeshyPlain, MeshyVariant.PlainRoute);
        var launch = new ProxyLaunch(ProxyMode.Http1, Upstream, 8080, "/tmp", Cpu: 1, Routing: MeshyRouting.Mirror100, AccessLog: true, MirrorUpstream: Shadow);

        ConfigLoadResult loaded = ConfigLoader.LoadText(plain.ConfigFor(launch, adminPort: 15000), "meshy.toml");

        Assert.True(loaded.Success, string.Join('\n', loaded.Diagnostics.Select(d => d.ToString())));
        Assert.Null(Assert.Single(Assert.Single(loaded.Config!.Routes).Rules).Mirror);
        Assert.Equal("upstream", Assert.Single(loaded.Config.Clusters).Name);
        Assert.False(loaded.Config.AccessLog.Enabled);
    }

    [Fact]
    public void MeshyPlain_RunsOnlyInScenariosThatVaryMeshysConfig()
    {
        var plain = new MeshyLauncher(Binary, ProxyCatalog.MeshyPlain, MeshyVariant.PlainRoute);
        var meshy = new MeshyLauncher(Binary);

        string[] runsIn = ScenarioCatalog.All().Where(plain.RunsIn).Select(s => s.Name).Order().ToArray();

        Assert.Equal(["http1-mirrored", "http1-observed", "http1-resilient", "http1-weighted"], runsIn);
        Assert.All(ScenarioCatalog.All(), scenario => Assert.True(meshy.RunsIn(scenario), scenario.Name));
    }

    [Fact]
    public async Task MeshyL4_InAnHttpScenario_ForwardsBytesThroughATcpListener()
    {
        var bytesOnly = (MeshyLauncher)await ProxyCatalog.PeerAsync(ProxyCatalog.MeshyL4, Binary, CancellationToken.None);
        var launch = new ProxyLaunch(ProxyMode.Http1, Upstream, 8080, "/tmp", Cpu: 1, Routing: MeshyRouting.Plain);

        ConfigLoadResult loaded = ConfigLoader.LoadText(bytesOnly.ConfigFor(launch, adminPort: 15000), "meshy.toml");

        Assert.True(loaded.Success, string.Join('\n', loaded.Diagnostics.Select(d => d.ToString())));
        ListenerConfig listener = Assert.Single(loaded.Config!.Listeners);
        Assert.Equal(ListenerProtocol.Tcp, listener.Protocol);
        Assert.Equal("upstream", listener.Cluster);
        Assert.Empty(loaded.Config.Routes);
        Assert.Equal("127.0.0.1:9001", Assert.Single(Assert.Single(loaded.Config.Clusters).Endpoints).Address.Text);
    }

    [Fact]
    public async Task MeshyL4_RunsOnlyInThePlainHttp1Scenarios()
    {
        IProxyLauncher bytesOnly = await ProxyCatalog.PeerAsync(ProxyCatalog.MeshyL4, Binary, CancellationToken.None);

        string[] runsIn = ScenarioCatalog.All().Where(bytesOnly.RunsIn).Select(s => s.Name).Order().ToArray();

        // Where Meshy's route varies, or h2c downstream is translated (h2c) or multiplexed onto pooled streams
        // (h2c-upstream), bytes alone are another job; in tcp and tcp-idle it would repeat meshy's own run.
        Assert.Equal(["http1-16k", "http1-latency", "http1-small"], runsIn);
        Assert.Contains(ProxyCatalog.MeshyL4, ProxyCatalog.DefaultPeerNames);
    }

    [Theory]
    [InlineData(false, UpstreamProtocol.Http1)]
    [InlineData(true, UpstreamProtocol.Http2)]
    public void MeshyConfigCommand_PrintsTheSuitesPlainConfig_ForToolsOutsideTheRunner(bool h2cUpstream, UpstreamProtocol expected)
    {
        string[] args = ["--listen", "15001", "--admin", "15000", "--upstream", "127.0.0.1:9001", .. h2cUpstream ? new[] { "--h2c-upstream" } : []];

        ConfigLoadResult loaded = ConfigLoader.LoadText(Meshy.Bench.Load.Tools.MeshyConfigCommand.Text(args), "meshy.toml");

        Assert.True(loaded.Success, string.Join('\n', loaded.Diagnostics.Select(d => d.ToString())));
        Assert.Equal("127.0.0.1:15001", Assert.Single(loaded.Config!.Listeners).Address.Text);
        ClusterConfig upstream = Assert.Single(loaded.Config.Clusters);
        Assert.Equal("127.0.0.1:9001", Assert.Single(upstream.Endpoints).Address.Text);
        Assert.Equal(expected, upstream.Protocol);
    }

    private static ConfigLoadResult Load(ProxyMode mode, MeshyRouting routing)
    {
        var launch = new ProxyLaunch(mode, Upstream, 8080, "/tmp", Cpu: 1, Routing: routing, MirrorUpstream: Shadow);
        return ConfigLoader.LoadText(MeshyLauncher.Config(launch, adminPort: 15000), "meshy.toml");
    }
}
