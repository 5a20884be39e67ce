using Meshy.Bench.Load.Report;

namespace Meshy.Bench.Load.Proxies;

/// <summary>
/// The baseline: load goes straight to the upstream, nothing runs on the proxy core. Its
/// throughput is the ceiling of the load core; its CPU figure is the noise floor of the proxy core.
/// </summary>
internal sealed class DirectLauncher : IProxyLauncher
{
    public string Name => "direct";

    public bool IsBaseline => true;

    public ToolInfo Describe() => new(Name, true, "no proxy: load generator to upstream", null);

    public string? Unavailable(ProxyMode mode) => mode == ProxyMode.Http2Cleartext
        ? "the upstream speaks HTTP/1.1 only, so there is no h2c path without a proxy"
        : null;

    public Task<RunningProxy> StartAsync(ProxyLaunch launch, CancellationToken cancellationToken) =>
        Task.FromResult(new RunningProxy(Name, launch.Upstream, process: null, launch.Cpu));
}
