using System.Net;
using Meshy.Bench.Load.Cli;
using Meshy.Bench.Load.Proxies;

namespace Meshy.Bench.Load.Tools;

/// <summary>
/// <c>meshy-config --listen PORT --admin PORT --upstream HOST:PORT [--h2c-upstream]</c>: prints the meshy.toml the load
/// suite runs Meshy with (the plain route), for tools outside the runner that must measure the same proxy
/// (<c>bench/instructions/per-request.sh</c>).
/// </summary>
internal static class MeshyConfigCommand
{
    private const string H2cUpstream = "h2c-upstream";

    public static int Run(string[] args)
    {
        Console.Out.Write(Text(args));
        return 0;
    }

    /// <summary>The config for <paramref name="args"/>.</summary>
    public static string Text(IReadOnlyList<string> args)
    {
        var options = CommandArgs.Parse(args, H2cUpstream);
        int listen = options.Int("listen", 0, min: 1, max: 65535);
        int admin = options.Int("admin", 0, min: 1, max: 65535);
        IPEndPoint upstream = options.EndPoint("upstream");
        bool h2c = options.Flag(H2cUpstream);
        options.RejectUnknown();

        // HTTP/1.1 and h2c share one listener, so the mode only decides what the cluster speaks.
        var launch = new ProxyLaunch(h2c ? ProxyMode.Http2CleartextBothWays : ProxyMode.Http1, upstream, listen, Directory.GetCurrentDirectory(), Cpu: 0);
        return MeshyLauncher.Config(launch, admin);
    }
}
