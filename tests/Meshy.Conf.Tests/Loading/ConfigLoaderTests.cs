using Meshy.Conf.Loading;
using Meshy.Conf.Schema;
using static Meshy.Conf.Tests.TomlFixture;

namespace Meshy.Conf.Tests.Loading;

public sealed class ConfigLoaderTests
{
    [Fact]
    public void LoadFile_MissingFile_ReportsFileErrorWithPathAsGiven()
    {
        string path = Path.Combine("no", "such", "dir", "meshy.toml");

        ConfigLoadResult result = ConfigLoader.LoadFile(path);

        Assert.False(result.Success);
        Assert.Null(result.Config);
        Assert.Equal([$"{path}:1:1: (file): cannot read the config file: no such file"], result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void LoadFile_Directory_ReportsThatItIsNotAFile()
    {
        string directory = Directory.CreateTempSubdirectory("meshy-conf-").FullName;
        try
        {
            ConfigLoadResult result = ConfigLoader.LoadFile(directory);

            Assert.Equal([$"{directory}:1:1: (file): cannot read the config file: is a directory, not a file"], result.Diagnostics.Select(d => d.ToString()));
        }
        finally
        {
            Directory.Delete(directory);
        }
    }

    [Fact]
    public void LoadFile_FileWithError_NamesTheFileAsGiven()
    {
        string directory = Directory.CreateTempSubdirectory("meshy-conf-").FullName;
        string path = Path.Combine(directory, "bad.toml");
        File.WriteAllText(path, "[runtime]\nmax_connections = 0\n");
        try
        {
            ConfigLoadResult result = ConfigLoader.LoadFile(path);

            Assert.Equal([$"{path}:2:19: runtime.max_connections: must be an integer from 1 to 10000000 (got 0)"], result.Diagnostics.Select(d => d.ToString()));
            Assert.Equal(path, result.Source);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void LoadText_SyntaxError_ReportsPositionAndNearestKey()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            lb =
            """;

        Assert.Equal(["meshy.toml:3:5: clusters[0].lb: Unexpected token `<eof>` for a value"], Diagnose(Toml));
    }

    [Fact]
    public void LoadText_UnterminatedString_ReportsNearestKeyWithArrayIndex()
    {
        const string Toml = "[[clusters]]\nname = \"a\"\n[[clusters]]\nname = \"b\n";

        string[] lines = Diagnose(Toml);

        Assert.Equal("meshy.toml:4:10: clusters[1].name: Invalid newline in a string", lines[0]);
    }

    [Fact]
    public void LoadText_SyntaxErrorBeforeAnyKey_UsesFileKeyPath()
    {
        string[] lines = Diagnose("= 1\n");

        Assert.Equal("meshy.toml:1:1: (file): Unexpected token [=] found", lines[0]);
    }

    [Fact]
    public void LoadText_RedefinedTable_ReportsTomlError()
    {
        const string Toml = """
            [admin]
            address = "127.0.0.1:1"
            [admin]
            """;

        Assert.Equal(["meshy.toml:3:1: admin: The key `admin` is already defined at (1,1) with `[admin] address = \"127.0.0.1:1\"` and cannot be redefined"], Diagnose(Toml));
    }

    [Fact]
    public void LoadText_Empty_GivesTheEmbeddedDefaults()
    {
        MeshyConfig config = Load("");

        Assert.Equal("127.0.0.1:15000", config.Admin.Address.Text);
        Assert.Equal(TimeSpan.FromSeconds(20), config.Runtime.DrainTimeout);
        Assert.Equal(100_000, config.Runtime.MaxConnections);
        Assert.False(config.AccessLog.Enabled);
        Assert.Empty(config.Listeners);
        Assert.Empty(config.Routes);
        Assert.Empty(config.Clusters);
    }

    [Fact]
    public void LoadText_ManyProblems_ReportsEveryOneSortedByPosition()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            lb = "fastest"
            connect_timeout = "soon"
            endpoints = [{ address = "10.0.0.1" }]

            [runtime]
            drian_timeout = "5s"

            [[routes]]
            name = "r"
              [[routes.rules]]
              to = [{ cluster = "b", weight = -2 }]
            """;

        Assert.Equal(
            [
                "meshy.toml:3:6: clusters[0].lb: must be one of round_robin, least_request, random, ring_hash (got \"fastest\")",
                "meshy.toml:4:19: clusters[0].connect_timeout: must be a duration such as \"250ms\", \"5s\", \"1.5s\", \"1m\" or \"1h\" (got \"soon\")",
                "meshy.toml:5:26: clusters[0].endpoints[0].address: must be an address host:port, IPv6 as [::1]:8080 (got \"10.0.0.1\": missing port)",
                "meshy.toml:8:1: runtime.drian_timeout: unknown key (did you mean drain_timeout?)",
                "meshy.toml:13:21: routes[0].rules[0].to[0].cluster: unknown cluster \"b\" (defined: a)",
                "meshy.toml:13:35: routes[0].rules[0].to[0].weight: must be a non-negative integer (got -2)",
            ],
            Diagnose(Toml));
    }

    [Fact]
    public void LoadText_ErrorDeepInArraysOfTables_IndexesEveryArray()
    {
        const string Toml = """
            [[routes]]
            name = "first"
              [[routes.rules]]
              to = [{ cluster = "web" }]

            [[routes]]
            name = "second"
              [[routes.rules]]
              to = [
                { cluster = "web" },
                { cluster = "web", subset = "v1" },
                { cluster = "web", weight = -1 },
              ]
            """ + Cluster;

        Assert.Equal(["meshy.toml:12:33: routes[1].rules[0].to[2].weight: must be a non-negative integer (got -1)"], Diagnose(Toml));
    }

    [Fact]
    public void LoadText_ErrorInNestedTableArrayHeaders_IndexesPerParent()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            [[clusters.endpoints]]
            address = "10.0.0.1:80"

            [[clusters]]
            name = "b"
            [[clusters.endpoints]]
            address = "10.0.0.2:80"
            [[clusters.endpoints]]
            address = "10.0.0.3:80"
            weight = 0
            """;

        Assert.Equal(["meshy.toml:12:10: clusters[1].endpoints[1].weight: must be an integer from 1 to 1000000 (got 0)"], Diagnose(Toml));
    }

    [Fact]
    public void LoadText_WrongValue_PointsAtTheValue()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            endpoints = [{ address = "10.0.0.1:80" }]
            lb =    "fastest"
            """;

        Assert.Equal("meshy.toml:4:9", string.Join(':', Diagnose(Toml)[0].Split(':').Take(3)));
    }

    [Fact]
    public void LoadText_WrongKey_PointsAtTheKey()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            endpoints = [{ address = "10.0.0.1:80" }]
              lbb = "random"
            """;

        Assert.Equal("meshy.toml:4:3", string.Join(':', Diagnose(Toml)[0].Split(':').Take(3)));
    }

    [Fact]
    public void LoadText_Success_RecordsSpansOfKeysAndValues()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            lb =  "random"
            endpoints = [{ address = "10.0.0.1:80" }]
            """;

        ConfigLoadResult result = ConfigLoader.LoadText(Toml, FileName);

        Assert.True(result.Success);
        Assert.Equal(new ConfigSpan(new SourcePosition(3, 1), new SourcePosition(3, 7)), result.Spans["clusters[0].lb"]);
        Assert.Equal(new SourcePosition(4, 26), result.Spans["clusters[0].endpoints[0].address"].Value);
    }

    [Fact]
    public void CreateDiagnostic_KnownPath_UsesItsValuePosition()
    {
        ConfigLoadResult result = ConfigLoader.LoadText("[[clusters]]\nname = \"a\"\nendpoints = [{ address = \"db.invalid:80\" }]\n", FileName);

        ConfigDiagnostic diagnostic = result.CreateDiagnostic("clusters[0].endpoints[0].address", "host does not resolve");

        Assert.Equal("meshy.toml:3:26: clusters[0].endpoints[0].address: host does not resolve", diagnostic.ToString());
    }

    [Fact]
    public void CreateDiagnostic_UnrecordedPath_FallsBackToNearestParent()
    {
        ConfigLoadResult result = ConfigLoader.LoadText("[[clusters]]\nname = \"a\"\nendpoints = [{ address = \"10.0.0.1:80\" }]\n", FileName);

        ConfigDiagnostic diagnostic = result.CreateDiagnostic("clusters[0].limits.max_requests", "too low for this cluster", atKey: true);

        Assert.Equal("meshy.toml:1:1: clusters[0].limits.max_requests: too low for this cluster", diagnostic.ToString());
    }

    [Fact]
    public void LoadText_ContractExample_Loads()
    {
        // The example of CONTRACT.md, completed with the "mesh" route table it refers to.
        const string Toml = """
            [admin]
            address = "127.0.0.1:15000"      # GET /ready /metrics /config /clusters; POST /reload

            [runtime]
            drain_timeout = "20s"            # shutdown and removed listeners
            # max_connections = 100000       # per process, beyond it new connections are refused

            [[listeners]]
            name = "web"
            address = "0.0.0.0:8080"
            protocol = "http"                # http: HTTP/1.1 and HTTP/2 (h2c prior knowledge) on one port
            routes = "web"                   # the route table(s) that serve it: a name, or ["web", "api"] (virtual hosts)

            [[listeners]]
            name = "postgres"
            address = "127.0.0.1:15432"
            protocol = "tcp"                 # L4: bytes both ways, half-close honoured
            cluster = "db"

            [[listeners]]
            name = "outbound"
            address = "127.0.0.1:15001"
            protocol = "auto"                # sniff: HTTP/2 preface or an HTTP/1 request line is HTTP, anything else TCP
            original_destination = true      # iptables REDIRECT target: the upstream is the socket's original
            routes = "mesh"                  #   destination (SO_ORIGINAL_DST) unless a route of this table matches

            [[routes]]                       # like an Istio VirtualService
            name = "web"
            hosts = ["ui.example.com", "ui"] # Host / :authority, port ignored; "*" and "*.example.com" allowed

              [[routes.rules]]               # ordered; the first rule whose match holds wins
              name = "iphone-canary"
              match.headers.user-agent.regex = '^(.*?;)?(iPhone)(;.*)?$'
              to = [{ cluster = "ui", subset = "canary" }]

              [[routes.rules]]
              name = "default"
              match.path.prefix = "/"
              timeout = "15s"
              retries = { attempts = 2, per_try_timeout = "2s", on = ["connect-failure", "reset", "503"] }
              fault.delay = { percent = 10.0, fixed = "5s" }
              fault.abort = { percent = 1.0, status = 500 }
              mirror = { cluster = "ui", subset = "v2", percent = 100.0 }
              headers.request.set = { x-mesh = "meshy" }   # request|response . set|add|remove
              to = [
                { cluster = "ui", subset = "v1", weight = 99 },
                { cluster = "ui", subset = "v2", weight = 1 },
              ]

            [[routes]]
            name = "mesh"
              [[routes.rules]]
              to = [{ cluster = "ui" }]

            [[clusters]]                     # like an Istio DestinationRule plus its endpoints
            name = "ui"
            lb = "least_request"             # round_robin (default) | least_request (power of two choices) | random | ring_hash
            connect_timeout = "1s"
            endpoints = [
              { address = "10.0.0.5:8080", labels = { version = "v1" } },
              { address = "10.0.0.6:8080", labels = { version = "v2" } },
              { address = "10.0.0.7:8080", labels = { version = "canary" }, weight = 2 },
            ]
            subsets = [
              { name = "v1", labels = { version = "v1" } },
              { name = "v2", labels = { version = "v2" } },
              { name = "canary", labels = { version = "canary" } },
            ]
            limits = { max_connections = 1024, max_pending_requests = 1024, max_requests = 1024, max_retries = 3 }
            outlier_detection = { consecutive_5xx = 7, interval = "1m", base_ejection_time = "5m", max_ejection_percent = 50 }
            health_check = { path = "/healthz", interval = "5s", timeout = "1s", unhealthy_threshold = 3, healthy_threshold = 2 }

            [[clusters]]
            name = "db"
            endpoints = [{ address = "10.0.0.9:5432" }]
            """;

        MeshyConfig config = Load(Toml);

        Assert.Equal(["web", "postgres", "outbound"], config.Listeners.Select(l => l.Name));
        Assert.Equal(["ui", "db"], config.Clusters.Select(c => c.Name));
    }
}
