using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Meshy.Bench.Load.Processes;
using Meshy.Bench.Load.Report;

namespace Meshy.Bench.Load.Proxies;

/// <summary>
/// HAProxy with one thread (<c>nbthread 1</c>), <c>mode tcp</c> for L4 and <c>mode http</c> with
/// keep-alive and connection reuse towards the upstream for HTTP (<c>proto h2</c> on the bind line
/// for h2c, and on the server line for an h2c upstream). Buffers and everything else stay at the
/// distribution's defaults: the comparison is with HAProxy as people run it. Unless run bare, its
/// frontend adds the headers Meshy adds (see <see cref="ProxyLaunch.PeersForward"/>).
/// </summary>
internal sealed partial class HaproxyLauncher : IProxyLauncher
{
    private readonly string? _path = ExternalTool.Find("haproxy");
    private string? _version;

    public string Name => "haproxy";

    public bool IsBaseline => false;

    public ToolInfo Describe() => _path is null
        ? new ToolInfo(Name, false, null, InstallHint)
        : new ToolInfo(Name, true, Version(), null);

    public string? Unavailable(ProxyMode mode) => _path is null ? $"haproxy is not installed ({InstallHint})" : null;

    public Task<RunningProxy> StartAsync(ProxyLaunch launch, CancellationToken cancellationToken)
    {
        string config = Path.Combine(launch.WorkDirectory, "haproxy.cfg");
        File.WriteAllText(config, Config(launch));
        // -db: foreground, no daemon, so the pid we hold is the one process that proxies.
        var command = new ProcessCommand(_path!, "-f", config, "-db").PinnedTo(launch.Cpu, launch.Scheduling);
        ChildProcess process = ChildProcess.Start(Name, command, workingDirectory: launch.WorkDirectory);
        return Task.FromResult(new RunningProxy(Name, new(System.Net.IPAddress.Loopback, launch.ListenPort), process, launch.Cpu));
    }

    /// <summary>The generated haproxy.cfg (public for the README and for debugging a run).</summary>
    public static string Config(ProxyLaunch launch)
    {
        bool http = launch.Mode != ProxyMode.Tcp;
        var config = new StringBuilder();
        config.Append(CultureInfo.InvariantCulture, $"""
            global
                nbthread 1
                # Two sockets per proxied connection must fit a 20000 fd limit.
                maxconn 8000

            defaults
                mode {(http ? "http" : "tcp")}
                timeout connect 5s
                timeout client 2m
                timeout server 2m

            """);
        if (http)
        {
            config.Append("""
                    option http-keep-alive
                    http-reuse always

                """);
        }
        // proto h2: h2c with prior knowledge on that side, no upgrade dance.
        string bindOptions = launch.Mode is ProxyMode.Http2Cleartext or ProxyMode.Http2CleartextBothWays ? " proto h2" : "";
        string serverOptions = launch.Mode == ProxyMode.Http2CleartextBothWays ? " proto h2" : "";
        config.Append(CultureInfo.InvariantCulture, $"""

            frontend bench
                bind 127.0.0.1:{launch.ListenPort}{bindOptions}
                default_backend upstream
            {(http && launch.PeersForward ? ForwardingLines() : "")}
            backend upstream
                server upstream1 {launch.Upstream}{serverOptions}

            """);
        return config.ToString();
    }

    // The job Meshy's router does on every request: the client appended to X-Forwarded-For, the scheme, and a
    // request id unless the client sent one, made as Meshy makes it: a random prefix per process and a counter
    // (%rt, the request counter; %[uuid] would draw random bytes per request, more work than Meshy does).
    private static string ForwardingLines() => $$"""
            option forwardfor
            http-request set-header X-Forwarded-Proto http
            http-request set-header X-Request-ID {{RandomPrefix()}}%rt unless { req.hdr(x-request-id) -m found }

        """;

    /// <summary>"xxxxxxxx-xxxx-xxxx-": sixteen random hex digits grouped as a UUID starts.</summary>
    private static string RandomPrefix()
    {
        string hex = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-";
    }

    private string Version()
    {
        // "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/": keep the version only.
        _version ??= VersionPattern().Match(ExternalTool.Output(_path!, "-v")) is { Success: true } match ? match.Groups[1].Value : "unknown version";
        return _version;
    }

    [GeneratedRegex(@"HA-?Proxy version (\S+)", RegexOptions.IgnoreCase)]
    private static partial Regex VersionPattern();

    private const string InstallHint = "apt-get install -y haproxy";
}
