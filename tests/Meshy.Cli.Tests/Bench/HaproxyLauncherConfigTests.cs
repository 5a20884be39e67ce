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

    [Theory]
    [InlineData(nameof(ProxyMode.Http1))]
    [InlineData(nameof(ProxyMode.Http2Cleartext))]
    [InlineData(nameof(ProxyMode.Http2CleartextBothWays))]
    public void Config_HttpModes_FrontendAddsTheForwardingHeaders_UnlessBare(string modeName)
    {
        var mode = Enum.Parse<ProxyMode>(modeName);
        string[] lines = ConfigLines(mode);
        string[] bare = ConfigLines(mode, forward: false);

        int frontend = Array.IndexOf(lines, "frontend bench");
        int backend = Array.IndexOf(lines, "backend upstream");
        string[] frontendLines = lines[frontend..backend];
        Assert.Contains("option forwardfor", frontendLines);
        Assert.Contains("http-request set-header X-Forwarded-Proto http", frontendLines);
        Assert.Contains(frontendLines, line => line.StartsWith("http-request set-header X-Request-ID ", StringComparison.Ordinal)
            && line.EndsWith("%rt unless { req.hdr(x-request-id) -m found }", StringComparison.Ordinal));
        Assert.DoesNotContain(bare, line => line.Contains("forward", StringComparison.OrdinalIgnoreCase) || line.Contains("X-Request-ID", StringComparison.Ordinal));
    }

    [Fact]
    public void Config_Tcp_AddsNoHeaders()
    {
        Assert.DoesNotContain(ConfigLines(ProxyMode.Tcp), line => line.Contains("http-request", StringComparison.Ordinal) || line.Contains("forwardfor", StringComparison.Ordinal));
    }

    private static string[] ConfigLines(ProxyMode mode, bool forward = true) =>
        HaproxyLauncher.Config(new ProxyLaunch(mode, Upstream, 8080, "/tmp", Cpu: 1, PeersForward: forward)).Split('\n').Select(line => line.Trim()).ToArray();
}
