using Meshy.Bench.Load.Proxies;

namespace Meshy.Cli.Tests.Bench;

/// <summary>Which peers sit out which modes, and why: the reason lands in the report instead of ratios.</summary>
public sealed class ProxyAvailabilityTests
{
    [Fact]
    public void Nginx_H2cBothWays_IsUnavailableBecauseProxyPassHasNoHttp2Upstream()
    {
        Assert.Equal(NginxLauncher.UpstreamHttp2Missing, new NginxLauncher().Unavailable(ProxyMode.Http2CleartextBothWays));
        Assert.Contains("HTTP/1.x only", NginxLauncher.UpstreamHttp2Missing, StringComparison.Ordinal);
    }

    [Fact]
    public void Direct_H2cBothWays_RunsStraightToTheH2cUpstream()
    {
        Assert.Null(new DirectLauncher().Unavailable(ProxyMode.Http2CleartextBothWays));
    }

    [Fact]
    public void Direct_H2cToHttp1Upstream_IsUnavailable()
    {
        Assert.NotNull(new DirectLauncher().Unavailable(ProxyMode.Http2Cleartext));
    }
}
