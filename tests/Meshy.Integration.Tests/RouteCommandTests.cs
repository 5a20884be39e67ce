using Meshy.Testing;

namespace Meshy.Integration.Tests;

/// <summary><c>meshy route</c>: explains routing with the proxy's compiled router; exit 0 matched, 1 NR or bad config, 2 usage.</summary>
public sealed class RouteCommandTests : IDisposable
{
    private readonly TempConfig _config = new("""
        [[listeners]]
        name = "web"
        address = "127.0.0.1:0"
        protocol = "http"
        routes = ["web", "api"]

        [[routes]]
        name = "web"
        hosts = ["ui.example.com", "*.ui.example.com"]

          [[routes.rules]]
          name = "iphone-canary"
          match.headers.user-agent.regex = '^(.*?;)?(iPhone)(;.*)?$'
          to = [{ cluster = "ui", subset = "v2" }]

          [[routes.rules]]
          name = "old"
          match.path.prefix = "/old/"
          redirect = { scheme = "https", prefix = "/new/" }

          [[routes.rules]]
          name = "default"
          match.path.prefix = "/"
          timeout = "15s"
          retries = { attempts = 2, per_try_timeout = "2s", on = ["connect-failure", "reset", "503"] }
          fault.delay = { percent = 0.5, fixed = "2s" }
          fault.abort = { percent = 1.5, status = 500, grpc_status = 14 }
          mirror = { cluster = "ui", subset = "v2", percent = 10.0 }
          headers.request.set = { x-mesh = "meshy" }
          rewrite = { prefix = "/v2/" }
          to = [{ cluster = "ui", subset = "v1", weight = 99 }, { cluster = "ui", subset = "v2", weight = 1 }]

        [[routes]]
        name = "api"
        hosts = ["api.example.com"]

          [[routes.rules]]
          name = "internal"
          match = [{ source = ["10.0.0.0/8"], method = ["GET"] }, { query.debug.exact = "on" }]
          respond = { status = 200, body = "internal" }

        [[clusters]]
        name = "ui"
        lb = "ring_hash"
        hash_on = "header:x-user"
        endpoints = [
          { address = "10.0.0.5:8080", labels = { version = "v1" } },
          { address = "10.0.0.6:8080", labels = { version = "v2" } },
        ]
        subsets = [{ name = "v1", labels = { version = "v1" } }, { name = "v2", labels = { version = "v2" } }]
        """);

    public void Dispose() => _config.Dispose();

    private Task<(int ExitCode, string Stdout, string Stderr)> RouteAsync(params string[] arguments) =>
        MeshyProcess.RunToEndAsync(["route", "--config", _config.Path, .. arguments]);

    [Fact]
    public async Task Route_DefaultRule_PrintsTableRuleDestinationsAndPolicies()
    {
        (int exitCode, string stdout, string stderr) = await RouteAsync("GET", "http://ui.example.com:8080/shop?a=1");

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("table:    web (hosts: ui.example.com, *.ui.example.com)", stdout);
        Assert.Contains("skip    iphone-canary: not headers.user-agent.regex", stdout);
        Assert.Contains("skip    old: not path.prefix = \"/old/\"", stdout);
        Assert.Contains("rule:     default", stdout);
        Assert.Contains("because path.prefix = \"/\"", stdout);
        Assert.Matches(@"ui/v1\s+weight 99\s+99%", stdout);
        Assert.Matches(@"ui/v2\s+weight 1\s+1%", stdout);
        Assert.Contains("lb ring_hash on header:x-user, read_timeout 5m", stdout);
        Assert.Contains("timeout:  15s", stdout);
        Assert.Contains("retries:  2 attempt(s), per try 2s, on connect-failure,reset,503, idempotent methods only", stdout);
        Assert.Contains("fault:    delay 2s for 0.5% of requests", stdout);
        Assert.Contains("fault:    abort with 500 for 1.5% of requests (gRPC requests: grpc-status 14)", stdout);
        Assert.Contains("mirror:   ui/v2 for 10% of requests", stdout);
        Assert.Contains("headers:  request: set x-mesh: meshy", stdout);
        Assert.Contains("rewrite:  prefix \"/v2/\"", stdout);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task Route_HeaderSelectsCanary_WildcardHost()
    {
        (int exitCode, string stdout, _) = await RouteAsync("GET", "http://m.ui.example.com/", "-H", "User-Agent: Mozilla;iPhone;x");

        Assert.Equal(0, exitCode);
        Assert.Contains("rule:     iphone-canary", stdout);
        Assert.Matches(@"ui/v2\s+weight 1\s+100%", stdout);
    }

    [Fact]
    public async Task Route_Redirect_PrintsLocation()
    {
        (int exitCode, string stdout, _) = await RouteAsync("GET", "http://ui.example.com/old/page?x=1");

        Assert.Equal(0, exitCode);
        Assert.Contains("rule:     old", stdout);
        Assert.Contains("action:   redirect 301 to https://ui.example.com/new/page?x=1", stdout);
    }

    [Fact]
    public async Task Route_SourceAndMatchArray_EitherTableMatches()
    {
        (int bySource, string stdout, _) = await RouteAsync("GET", "/", "-H", "host: api.example.com", "--source", "10.2.3.4");
        Assert.Equal(0, bySource);
        Assert.Contains("because method in [GET] and source in [10.0.0.0/8]", stdout);
        Assert.Contains("action:   respond 200 with a 8-byte body", stdout);

        (int byQuery, stdout, _) = await RouteAsync("POST", "http://api.example.com/x?debug=on", "--source", "192.168.0.1");
        Assert.Equal(0, byQuery);
        Assert.Contains("because query.debug.exact = \"on\"", stdout);
    }

    [Fact]
    public async Task Route_NoRuleMatches_ExitOneWithReason()
    {
        (int exitCode, string stdout, string stderr) = await RouteAsync("POST", "http://api.example.com/", "--source", "192.168.0.1");

        Assert.Equal(1, exitCode);
        Assert.Contains("skip    internal: not method in [GET] and not source in [10.0.0.0/8]; nor not query.debug.exact = \"on\"", stdout);
        Assert.Equal("meshy: no route (NR): no rule of table api matched", stderr.Trim());
    }

    [Fact]
    public async Task Route_NoRouteOnOriginalDestinationListener_ExitZeroPassesThrough()
    {
        using var sidecar = new TempConfig("""
            [[listeners]]
            name = "outbound"
            address = "127.0.0.1:0"
            protocol = "auto"
            original_destination = true
            routes = "mesh"

            [[listeners]]
            name = "plain"
            address = "127.0.0.1:0"
            protocol = "http"
            routes = "mesh"

            [[routes]]
            name = "mesh"
            hosts = ["ui.example.com"]
              [[routes.rules]]
              name = "api"
              match.path.prefix = "/api/"
              respond = { status = 200 }
            """);

        (int noTable, string stdout, string stderr) = await MeshyProcess.RunToEndAsync(["route", "--config", sidecar.Path, "--listener", "outbound", "GET", "http://elsewhere.example/"]);
        Assert.True(noTable == 0, stderr);
        Assert.Contains("action:   no route: would pass through to the original destination (cluster PassthroughCluster)", stdout);

        (int noRule, stdout, stderr) = await MeshyProcess.RunToEndAsync(["route", "--config", sidecar.Path, "--listener", "outbound", "GET", "http://ui.example.com/home"]);
        Assert.True(noRule == 0, stderr);
        Assert.Contains("action:   no route: would pass through to the original destination", stdout);

        (int plain, _, stderr) = await MeshyProcess.RunToEndAsync(["route", "--config", sidecar.Path, "--listener", "plain", "GET", "http://elsewhere.example/"]);
        Assert.Equal(1, plain);
        Assert.StartsWith("meshy: no route (NR): no route table serves host \"elsewhere.example\"", stderr.Trim());
    }

    [Fact]
    public async Task Route_NoTableForHost_ExitOneWithReason()
    {
        (int exitCode, _, string stderr) = await RouteAsync("GET", "http://unknown.example.org/");

        Assert.Equal(1, exitCode);
        Assert.StartsWith("meshy: no route (NR): no route table serves host \"unknown.example.org\"", stderr.Trim());
    }

    [Fact]
    public async Task Route_BadConfig_ExitOneWithFileLineCol()
    {
        using var bad = new TempConfig("""
            [[clusters]]
            name = "db"
            lb = "fastest"
            endpoints = [{ address = "10.0.0.9:5432" }]
            """);

        (int exitCode, string stdout, string stderr) = await MeshyProcess.RunToEndAsync(["route", "--config", bad.Path, "GET", "http://a/"]);

        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        Assert.StartsWith($"{bad.Path}:3:6: clusters[0].lb: ", stderr);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("GET", "ftp://a/")]
    [InlineData("GET", "http://a/", "-H", "no-colon")]
    [InlineData("GET", "http://a/", "--source", "not-an-ip")]
    [InlineData("get", "http://a/")]
    public async Task Route_UsageError_ExitTwo(params string[] arguments)
    {
        (int exitCode, string stdout, string stderr) = await RouteAsync(arguments);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.StartsWith("meshy: ", stderr);
    }
}
