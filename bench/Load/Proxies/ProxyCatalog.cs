namespace Meshy.Bench.Load.Proxies;

/// <summary>The peers <c>--peers</c> can name, and those measured when it is not given, in alternation order.</summary>
internal static class ProxyCatalog
{
    /// <summary>Meshy built for the JIT (<c>dotnet meshy.dll</c>): what the native build trades CPU and memory against.</summary>
    public const string MeshyJit = "meshy-jit";

    /// <summary>
    /// The Meshy under test with the plain route, in the scenarios that vary Meshy's config only
    /// (<c>http1-mirrored</c>, ...): what the variation costs, measured in the same rounds.
    /// </summary>
    public const string MeshyPlain = "meshy-plain";

    /// <summary>
    /// The Meshy under test forwarding bytes only (a <c>tcp</c> listener) in the plain HTTP/1.1 scenarios: the least a
    /// proxy on the other core can cost the load side, so <c>meshy ÷ meshy-l4</c> is what the HTTP work adds to it
    /// (requests and load core CPU under load; added p99 in <c>http1-latency</c>).
    /// </summary>
    public const string MeshyL4 = "meshy-l4";

    /// <summary>Another Meshy build (<c>--baseline PATH</c>), to compare the one under test with, best with <c>--paired</c>.</summary>
    public const string MeshyBaseline = "meshy-baseline";

    public static readonly IReadOnlyList<string> DefaultPeerNames = [MeshyPlain, MeshyL4, "haproxy", "nginx", "direct"];

    public static readonly IReadOnlyList<string> PeerNames = [.. DefaultPeerNames, MeshyJit];

    /// <summary>The peer <paramref name="name"/>; <c>meshy-plain</c> and <c>meshy-l4</c> run <paramref name="meshy"/>, the build under test (resolved when null).</summary>
    public static async Task<IProxyLauncher> PeerAsync(string name, MeshyBinary? meshy, CancellationToken cancellationToken) => name switch
    {
        "haproxy" => new HaproxyLauncher(),
        "nginx" => new NginxLauncher(),
        "direct" => new DirectLauncher(),
        MeshyJit => new MeshyLauncher(await MeshyBinary.ResolveAsync(null, cancellationToken, native: false).ConfigureAwait(false), MeshyJit),
        MeshyPlain => new MeshyLauncher(meshy ?? await MeshyBinary.ResolveAsync(null, cancellationToken).ConfigureAwait(false), MeshyPlain, MeshyVariant.PlainRoute),
        MeshyL4 => new MeshyLauncher(meshy ?? await MeshyBinary.ResolveAsync(null, cancellationToken).ConfigureAwait(false), MeshyL4, MeshyVariant.BytesOnly),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown peer"),
    };
}
