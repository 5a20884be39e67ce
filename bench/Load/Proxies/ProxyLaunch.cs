using System.Net;
using Meshy.Bench.Load.Processes;

namespace Meshy.Bench.Load.Proxies;

/// <summary>Everything a launcher needs to configure and start one run of its proxy.</summary>
/// <param name="Mode">What the proxy speaks downstream.</param>
/// <param name="Upstream">The upstream started for the scenario.</param>
/// <param name="ListenPort">Loopback port the proxy must listen on (picked free just before).</param>
/// <param name="WorkDirectory">Empty directory for this run's config, pid and temp files.</param>
/// <param name="Cpu">The core to pin the proxy to.</param>
/// <param name="Scheduling">Niceness or real-time class to run it with.</param>
/// <param name="Routing">How Meshy's route is generated; peers ignore it.</param>
/// <param name="AccessLog">Meshy writes its access log to <c>access.log</c> in <paramref name="WorkDirectory"/>; peers ignore it.</param>
/// <param name="MirrorUpstream">The second upstream Meshy mirrors to with <see cref="MeshyRouting.Mirror100"/>; peers ignore it.</param>
/// <param name="PeersForward">
/// HTTP peers add the request headers Meshy always adds (X-Forwarded-For, X-Forwarded-Proto, X-Request-ID when the
/// client sent none), so that every proxy does the same job; false runs them bare (<c>--bare-peers</c>).
/// </param>
internal sealed record ProxyLaunch(
    ProxyMode Mode,
    IPEndPoint Upstream,
    int ListenPort,
    string WorkDirectory,
    int Cpu,
    Scheduling? Scheduling = null,
    MeshyRouting Routing = MeshyRouting.Plain,
    bool AccessLog = false,
    IPEndPoint? MirrorUpstream = null,
    bool PeersForward = true);
