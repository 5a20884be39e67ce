using System.Globalization;
using System.Text;

namespace Meshy.Cli.Demo;

/// <summary>
/// The demo's config file as data: the base setup (all traffic to v1, iPhones to v3) plus what one
/// tour step turns on. <see cref="Render"/> writes it as the TOML a user would write by hand;
/// conf/demo.toml is <see cref="Render"/> of <see cref="Shipped"/> (a test keeps them equal).
/// </summary>
internal sealed record DemoConfig
{
    /// <summary>Where the proxy's HTTP listener binds, <c>host:port</c>.</summary>
    public required string ListenAddress { get; init; }

    /// <summary>Where the admin endpoint binds.</summary>
    public required string AdminAddress { get; init; }

    /// <summary>The addresses of the backends v1, v2, v3 and the mirror target, in that order.</summary>
    public required IReadOnlyList<string> BackendAddresses { get; init; }

    /// <summary>The default rule's destinations: subset of cluster <c>app</c> and weight.</summary>
    public IReadOnlyList<(string Subset, int Weight)> Split { get; init; } = [("v1", 100)];

    /// <summary><c>fault.delay</c> of the default rule: share and duration, or null.</summary>
    public (double Percent, string Fixed)? Delay { get; init; }

    /// <summary><c>fault.abort</c> of the default rule: share and status, or null.</summary>
    public (double Percent, int Status)? Abort { get; init; }

    /// <summary><c>mirror</c> of the default rule: the share copied to cluster <c>shadow</c>, or null.</summary>
    public double? MirrorPercent { get; init; }

    /// <summary><c>limits.max_requests</c> of cluster <c>app</c>, or null for the default.</summary>
    public int? MaxRequests { get; init; }

    /// <summary><c>outlier_detection.consecutive_5xx</c> of cluster <c>app</c>, or null for none.</summary>
    public int? Consecutive5xx { get; init; }

    /// <summary>The file checked in as conf/demo.toml: the fixed demo ports.</summary>
    public static DemoConfig Shipped { get; } = new()
    {
        ListenAddress = "127.0.0.1:8080",
        AdminAddress = "127.0.0.1:15000",
        BackendAddresses = ["127.0.0.1:9101", "127.0.0.1:9102", "127.0.0.1:9103", "127.0.0.1:9104"],
    };

    /// <summary>The TOML text.</summary>
    public string Render()
    {
        var toml = new StringBuilder();
        toml.Append($$"""
            # The config of `meshy demo`: three versions of a service (cluster "app", subsets v1, v2, v3)
            # and a mirror target (cluster "shadow"). The demo starts its backends on free ports and writes
            # a live copy with their real addresses (see --config-out); each tour step edits that copy and
            # Meshy hot-reloads it. Check: meshy validate --config conf/demo.toml. Every key: conf/README.md.

            [admin]
            address = "{{AdminAddress}}"

            [runtime]
            drain_timeout = "1s"

            [[listeners]]
            name = "demo"
            address = "{{ListenAddress}}"
            protocol = "http"
            routes = "demo"

            [[routes]]
            name = "demo"
            hosts = ["*"]

              [[routes.rules]]                 # header steering: iPhone users get v3
              name = "iphone"
              match.headers.user-agent.regex = '.*iPhone.*'
              to = [{ cluster = "app", subset = "v3" }]

              [[routes.rules]]                 # everyone else: a weighted split the tour edits
              name = "default"

            """);
        if (Delay is { } delay)
        {
            toml.Append(Invariant($"  fault.delay = {{ percent = {Number(delay.Percent)}, fixed = \"{delay.Fixed}\" }}\n"));
        }
        if (Abort is { } abort)
        {
            toml.Append(Invariant($"  fault.abort = {{ percent = {Number(abort.Percent)}, status = {abort.Status} }}\n"));
        }
        if (MirrorPercent is { } mirror)
        {
            toml.Append(Invariant($"  mirror = {{ cluster = \"shadow\", percent = {Number(mirror)} }}\n"));
        }
        toml.Append("  to = [\n");
        foreach ((string subset, int weight) in Split)
        {
            toml.Append(Invariant($"    {{ cluster = \"app\", subset = \"{subset}\", weight = {weight} }},\n"));
        }
        toml.Append("  ]\n\n");

        toml.Append($$"""
            [[clusters]]
            name = "app"
            endpoints = [
              { address = "{{BackendAddresses[0]}}", labels = { version = "v1" } },
              { address = "{{BackendAddresses[1]}}", labels = { version = "v2" } },
              { address = "{{BackendAddresses[2]}}", labels = { version = "v3" } },
            ]
            subsets = [
              { name = "v1", labels = { version = "v1" } },
              { name = "v2", labels = { version = "v2" } },
              { name = "v3", labels = { version = "v3" } },
            ]

            """);
        if (MaxRequests is { } maxRequests)
        {
            toml.Append(Invariant($"limits = {{ max_requests = {maxRequests} }}\n"));
        }
        if (Consecutive5xx is { } consecutive)
        {
            // Ejections outlast the step; at most half the cluster may be out (one endpoint of three).
            toml.Append(Invariant($"outlier_detection = {{ consecutive_5xx = {consecutive}, interval = \"1s\", base_ejection_time = \"10s\", max_ejection_percent = 50 }}\n"));
        }
        toml.Append($$"""

            [[clusters]]                     # the mirror target: copies land here, answers are dropped
            name = "shadow"
            endpoints = [{ address = "{{BackendAddresses[3]}}" }]

            """);
        return toml.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("0.0##", CultureInfo.InvariantCulture);
}
