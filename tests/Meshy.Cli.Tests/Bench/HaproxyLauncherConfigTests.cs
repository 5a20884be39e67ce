using System.Net;
using Meshy.Bench.Load.Proxies;

namespace Meshy.Cli.Tests.Bench;

/// <summary>The haproxy.cfg the load runner writes: HTTP/2 on the side each scenario asks for.</summary>
public sealed class HaproxyLauncherConfigTests
{
    private static readonly IPEndPoint Upstream = new(IPAddress.Loopback, 9001);

    [Fact]
    public void Config_H2cBothWays_BindsAndReachesTheServerWithProtoH2()
    {
        string[] lines = ConfigLines(ProxyMode.Http2CleartextBothWays);

        Assert.Contains("bind 127.0.0.1:8080 proto h2", lines);
        Assert.Contains("server upstream1 127.0.0.1:9001 proto h2", lines);
    }

    [Fact]
    public void Config_H2cToHttp1Upstream_SpeaksH2OnTheBindLineOnly()
    {
        string[] lines = ConfigLines(ProxyMode.Http2Cleartext);

        Assert.Contains("bind 127.0.0.1:8080 proto h2", lines);
        Assert.Contains("server upstream1 127.0.0.1:9001", lines);
    }

    [Fact]
    public void Config_Http1_SpeaksNoH2()
    {
        string[] lines = ConfigLines(ProxyMode.Http1);

        Assert.Contains("bind 127.0.0.1:8080", lines);
        Assert.Contains("server upstream1 127.0.0.1:9001", lines);
        Assert.DoesNotContain(lines, line => line.Contains("h2", StringComparison.Ordinal));
    }

    private static string[] ConfigLines(ProxyMode mode) =>
        HaproxyLauncher.Config(new ProxyLaunch(mode, Upstream, 8080, "/tmp", Cpu: 1)).Split('\n').Select(line => line.Trim()).ToArray();
}
