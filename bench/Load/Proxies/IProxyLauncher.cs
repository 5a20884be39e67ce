using Meshy.Bench.Load.Report;
using Meshy.Bench.Load.Scenarios;

namespace Meshy.Bench.Load.Proxies;

/// <summary>
/// One proxy of the comparison (meshy, haproxy, nginx) or the <c>direct</c> baseline. Adding a
/// peer means one class implementing this and one line in <see cref="ProxyCatalog"/>.
/// </summary>
internal interface IProxyLauncher
{
    /// <summary>Name in tables and on the command line: <c>haproxy</c>.</summary>
    string Name { get; }

    /// <summary>True for <c>direct</c>: it runs no proxy, so no cost is compared against it.</summary>
    bool IsBaseline { get; }

    /// <summary>Found or not, version, how to install it: for the report's tool list.</summary>
    ToolInfo Describe();

    /// <summary>Null when this proxy can run <paramref name="mode"/>; otherwise why not and how to fix it.</summary>
    string? Unavailable(ProxyMode mode);

    /// <summary>
    /// False when running in <paramref name="scenario"/> would only repeat another proxy's run (<c>meshy-plain</c>
    /// where Meshy's config is the plain one anyway) or would not do the scenario's job (<c>meshy-l4</c> forwarding
    /// bytes where h2c is translated): the proxy is left out of that scenario.
    /// </summary>
    bool RunsIn(ILoadScenario scenario) => true;

    /// <summary>Writes the config and starts the proxy pinned to <see cref="ProxyLaunch.Cpu"/>; readiness is awaited by the caller.</summary>
    Task<RunningProxy> StartAsync(ProxyLaunch launch, CancellationToken cancellationToken);
}
