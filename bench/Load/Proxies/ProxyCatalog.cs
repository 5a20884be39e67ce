namespace Meshy.Bench.Load.Proxies;

/// <summary>The peers <c>--peers</c> can name, in default alternation order.</summary>
internal static class ProxyCatalog
{
    public static readonly IReadOnlyList<string> PeerNames = ["haproxy", "nginx", "direct"];

    public static IProxyLauncher Peer(string name) => name switch
    {
        "haproxy" => new HaproxyLauncher(),
        "nginx" => new NginxLauncher(),
        "direct" => new DirectLauncher(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown peer"),
    };
}
