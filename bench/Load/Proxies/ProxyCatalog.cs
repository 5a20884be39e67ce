namespace Meshy.Bench.Load.Proxies;

/// <summary>The peers <c>--peers</c> can name, and those measured when it is not given, in alternation order.</summary>
internal static class ProxyCatalog
{
    /// <summary>Meshy built for the JIT (<c>dotnet meshy.dll</c>): what the native build trades CPU and memory against.</summary>
    public const string MeshyJit = "meshy-jit";

    public static readonly IReadOnlyList<string> DefaultPeerNames = ["haproxy", "nginx", "direct"];

    public static readonly IReadOnlyList<string> PeerNames = [.. DefaultPeerNames, MeshyJit];

    public static async Task<IProxyLauncher> PeerAsync(string name, CancellationToken cancellationToken) => name switch
    {
        "haproxy" => new HaproxyLauncher(),
        "nginx" => new NginxLauncher(),
        "direct" => new DirectLauncher(),
        MeshyJit => new MeshyLauncher(await MeshyBinary.ResolveAsync(null, cancellationToken, native: false).ConfigureAwait(false), MeshyJit),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown peer"),
    };
}
