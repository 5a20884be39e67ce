using static Meshy.Conf.Tests.TomlFixture;

namespace Meshy.Conf.Tests.Validation;

public sealed class ReferenceDiagnosticsTests
{
    private const string WebRoutes = """

        [[routes]]
        name = "web"
          [[routes.rules]]
          to = [{ cluster = "web" }]
        """;

    [Fact]
    public void Load_DuplicateClusterName_PointsAtTheSecondName()
    {
        const string Toml = Cluster + Cluster;

        Assert.Equal([$"{At(Toml, "\"web\"", 2)}: clusters[1].name: duplicate cluster name \"web\" (first used at line 3)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_DuplicateRouteTableName_PointsAtTheSecondName()
    {
        const string Toml = WebRoutes + WebRoutes + Cluster;

        // "web" is the table name, then a cluster name, then the second table's name.
        Assert.Equal([$"{At(Toml, "\"web\"", 3)}: routes[1].name: duplicate route table name \"web\" (first used at line 3)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_DuplicateListenerName_PointsAtTheSecondName()
    {
        const string Toml = """
            [[listeners]]
            name = "edge"
            address = "127.0.0.1:8080"
            routes = "web"

            [[listeners]]
            name = "edge"
            address = "127.0.0.1:8081"
            routes = "web"
            """ + WebRoutes + Cluster;

        Assert.Equal(["meshy.toml:7:8: listeners[1].name: duplicate listener name \"edge\" (first used at line 2)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_DuplicateSubsetName_PointsAtTheSecondName()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            endpoints = [{ address = "10.0.0.1:80" }]
            subsets = [
              { name = "v1", labels = { version = "v1" } },
              { name = "v1", labels = { version = "v2" } },
            ]
            """;

        Assert.Equal(["meshy.toml:6:12: clusters[0].subsets[1].name: duplicate subset name \"v1\" in this cluster (first used at line 5)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_DuplicateEndpoint_ComparesParsedAddresses()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            endpoints = [
              { address = "[::1]:80" },
              { address = "[0:0::1]:80" },
            ]
            """;

        Assert.Equal(["meshy.toml:5:15: clusters[0].endpoints[1].address: duplicate endpoint [0:0::1]:80 in this cluster (first listed at line 4)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_DuplicateRuleName_PointsAtTheSecondName()
    {
        const string Toml = """
            [[routes]]
            name = "web"
              [[routes.rules]]
              name = "main"
              to = [{ cluster = "web" }]
              [[routes.rules]]
              name = "main"
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal(["meshy.toml:7:10: routes[0].rules[1].name: duplicate rule name \"main\" in this route table (first used at line 4)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_TwoListenersOnOneAddress_ReportsTheSecond()
    {
        const string Toml = """
            [[listeners]]
            name = "a"
            address = "127.0.0.1:8080"
            routes = "web"

            [[listeners]]
            name = "b"
            address = "127.0.0.1:8080"
            routes = "web"
            """ + WebRoutes + Cluster;

        Assert.Equal(["meshy.toml:8:11: listeners[1].address: 127.0.0.1:8080 is already used by listener \"a\""], Diagnose(Toml));
    }

    [Fact]
    public void Load_WildcardListenerOverlappingAnother_ReportsOverlap()
    {
        const string Toml = """
            [[listeners]]
            name = "a"
            address = "127.0.0.1:8080"
            routes = "web"

            [[listeners]]
            name = "b"
            address = "0.0.0.0:8080"
            routes = "web"
            """ + WebRoutes + Cluster;

        Assert.Equal(["meshy.toml:8:11: listeners[1].address: 0.0.0.0:8080 overlaps listener \"a\" at 127.0.0.1:8080 (a wildcard address takes the port on every interface)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_ListenerOnTheDefaultAdminAddress_ReportsTheClash()
    {
        const string Toml = """
            [[listeners]]
            name = "a"
            address = "127.0.0.1:15000"
            routes = "web"
            """ + WebRoutes + Cluster;

        Assert.Equal(["meshy.toml:3:11: listeners[0].address: 127.0.0.1:15000 is already used by the admin endpoint"], Diagnose(Toml));
    }

    [Fact]
    public void Load_ListenersOnPortZero_NeverClash()
    {
        const string Toml = """
            [[listeners]]
            name = "a"
            address = "127.0.0.1:0"
            routes = "web"

            [[listeners]]
            name = "b"
            address = "127.0.0.1:0"
            routes = "web"
            """ + WebRoutes + Cluster;

        Assert.Equal(2, Load(Toml).Listeners.Length);
    }

    [Fact]
    public void Load_ListenerNamingMissingRouteTable_SuggestsNearest()
    {
        const string Toml = """
            [[listeners]]
            name = "a"
            address = "127.0.0.1:0"
            routes = ["web", "wbe"]
            """ + WebRoutes + Cluster;

        Assert.Equal(["meshy.toml:4:18: listeners[0].routes[1]: unknown route table \"wbe\" (did you mean web?)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_ListenerNamingMissingRouteTableAsString_ListsDefinedTables()
    {
        const string Toml = """
            [[listeners]]
            name = "a"
            address = "127.0.0.1:0"
            routes = "storefront"
            """ + WebRoutes + Cluster;

        Assert.Equal(["meshy.toml:4:10: listeners[0].routes: unknown route table \"storefront\" (defined: web)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_TcpListenerNamingMissingCluster_SaysNoneAreDefined()
    {
        const string Toml = """
            [[listeners]]
            name = "pg"
            address = "127.0.0.1:0"
            protocol = "tcp"
            cluster = "db"
            """;

        Assert.Equal(["meshy.toml:5:11: listeners[0].cluster: unknown cluster \"db\" (no [[clusters]] are defined)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_RuleNamingMissingCluster_SuggestsNearest()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              to = [{ cluster = "wbe" }]
            """ + Cluster;

        Assert.Equal([$"{At(Toml, "\"wbe\"")}: routes[0].rules[0].to[0].cluster: unknown cluster \"wbe\" (did you mean web?)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_RuleNamingMissingSubset_ListsTheClusterSubsets()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              to = [{ cluster = "web", subset = "canary" }]
            """ + Cluster;

        Assert.Equal([$"{At(Toml, "\"canary\"")}: routes[0].rules[0].to[0].subset: cluster \"web\" has no subset \"canary\" (its subsets: v1)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_MirrorNamingMissingClusterAndSubset_ReportsEach()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              mirror = { cluster = "shadow" }
              to = [{ cluster = "web" }]
              [[routes.rules]]
              mirror = { cluster = "web", subset = "v2" }
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal(
            [
                $"{At(Toml, "\"shadow\"")}: routes[0].rules[0].mirror.cluster: unknown cluster \"shadow\" (defined: web)",
                $"{At(Toml, "\"v2\"")}: routes[0].rules[1].mirror.subset: cluster \"web\" has no subset \"v2\" (its subsets: v1)",
            ],
            Diagnose(Toml));
    }

    [Fact]
    public void Load_TcpListenerWithRoutes_ReportsAtRoutesKey()
    {
        const string Toml = """
            [[listeners]]
            name = "pg"
            address = "127.0.0.1:0"
            protocol = "tcp"
            cluster = "web"
            routes = "web"
            """ + WebRoutes + Cluster;

        Assert.Equal(["meshy.toml:6:1: listeners[0].routes: a tcp listener takes no routes: it forwards bytes to its cluster (use protocol = \"http\" or \"auto\" for routes)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_TcpListenerWithoutCluster_PointsAtTheListener()
    {
        const string Toml = """
            [[listeners]]
            name = "pg"
            address = "127.0.0.1:0"
            protocol = "tcp"
            """;

        Assert.Equal(["meshy.toml:1:1: listeners[0].cluster: missing required key (a tcp listener forwards non-HTTP bytes to a cluster, or set original_destination = true)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_TcpListenerWithClusterAndOriginalDestination_AsksForOne()
    {
        const string Toml = """
            [[listeners]]
            name = "pg"
            address = "127.0.0.1:0"
            protocol = "tcp"
            original_destination = true
            cluster = "web"
            """ + Cluster;

        Assert.Equal(["meshy.toml:6:1: listeners[0].cluster: cannot be combined with original_destination = true: a tcp listener forwards to one of them"], Diagnose(Toml));
    }

    [Fact]
    public void Load_HttpListenerWithCluster_ReportsAtClusterKey()
    {
        const string Toml = """
            [[listeners]]
            name = "web"
            address = "127.0.0.1:0"
            routes = "web"
            cluster = "web"
            """ + WebRoutes + Cluster;

        Assert.Equal(["meshy.toml:5:1: listeners[0].cluster: an http listener takes no cluster: HTTP goes through its routes (use protocol = \"tcp\" to forward bytes)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_ProtocolDetectionTimeoutOnHttpListener_ReportsAtTheKey()
    {
        const string Toml = """
            [[listeners]]
            name = "web"
            address = "127.0.0.1:0"
            routes = "web"
            protocol_detection_timeout = "1s"
            """ + WebRoutes + Cluster;

        Assert.Equal(["meshy.toml:5:1: listeners[0].protocol_detection_timeout: only an auto listener detects protocols (set protocol = \"auto\")"], Diagnose(Toml));
    }

    [Fact]
    public void Load_HttpListenerWithoutRoutes_PointsAtTheListener()
    {
        const string Toml = """
            [[listeners]]
            name = "web"
            address = "127.0.0.1:0"
            protocol = "http"
            """;

        Assert.Equal(["meshy.toml:1:1: listeners[0].routes: missing required key (an http listener serves the route tables it names)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_AutoListenerWithoutRoutes_PointsAtTheListener()
    {
        const string Toml = """
            [[listeners]]
            name = "outbound"
            address = "127.0.0.1:0"
            protocol = "auto"
            original_destination = true
            """;

        Assert.Equal(["meshy.toml:1:1: listeners[0].routes: missing required key (an auto listener serves HTTP through the route tables it names)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_TwoRouteTablesServingOneHostOnOneListener_ReportsTheClash()
    {
        const string Toml = """
            [[listeners]]
            name = "edge"
            address = "127.0.0.1:0"
            routes = ["a", "b"]

            [[routes]]
            name = "a"
            hosts = ["shop.example.com", "*.example.com"]
              [[routes.rules]]
              to = [{ cluster = "web" }]

            [[routes]]
            name = "b"
            hosts = ["SHOP.example.com"]
              [[routes.rules]]
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal(["meshy.toml:4:16: listeners[0].routes[1]: route tables \"a\" and \"b\" both serve host \"SHOP.example.com\" on this listener"], Diagnose(Toml));
    }

    [Fact]
    public void Load_RuleWithoutAction_PointsAtTheRule()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              name = "nothing"
            """;

        Assert.Equal(["meshy.toml:3:3: routes[0].rules[0]: needs exactly one of to, redirect or respond (found none)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_RuleWithTwoActions_PointsAtTheSecond()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              to = [{ cluster = "web" }]
              respond = { status = 200 }
            """ + Cluster;

        Assert.Equal(["meshy.toml:5:3: routes[0].rules[0]: needs exactly one of to, redirect or respond (found to and respond)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_RetriesOnARespondRule_ReportsThatItOnlyAppliesToProxying()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              respond = { status = 200 }
              retries = { attempts = 2 }
            """;

        Assert.Equal(["meshy.toml:5:3: routes[0].rules[0].retries: only applies to rules that proxy with to (this rule answers with respond)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_AllWeightsZero_ReportsNothingWouldBeSent()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              to = [{ cluster = "web", weight = 0 }, { cluster = "web", subset = "v1", weight = 0 }]
            """ + Cluster;

        Assert.Equal(["meshy.toml:4:8: routes[0].rules[0].to: weights must not all be 0 (nothing would be sent)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_NegativeWeight_ReportsNonNegativeInteger()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              to = [{ cluster = "web", weight = 1 }, { cluster = "web", weight = -1 }]
            """ + Cluster;

        Assert.Equal([$"{At(Toml, "-1")}: routes[0].rules[0].to[1].weight: must be a non-negative integer (got -1)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_EmptyDestinationList_ReportsAtLeastOne()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              to = []
            """;

        Assert.Equal(["meshy.toml:4:8: routes[0].rules[0].to: must list at least one destination"], Diagnose(Toml));
    }

    [Fact]
    public void Load_HashOnWithoutRingHash_ReportsAtHashOnKey()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            lb = "least_request"
            hash_on = "header:x-user"
            endpoints = [{ address = "10.0.0.1:80" }]
            """;

        Assert.Equal(["meshy.toml:4:1: clusters[0].hash_on: only applies with lb = \"ring_hash\" (lb is \"least_request\")"], Diagnose(Toml));
    }

    [Fact]
    public void Load_RingHashWithoutHashOn_PointsAtTheCluster()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            lb = "ring_hash"
            endpoints = [{ address = "10.0.0.1:80" }]
            """;

        Assert.Equal(["meshy.toml:1:1: clusters[0].hash_on: missing required key (lb = \"ring_hash\" hashes on header:NAME, cookie:NAME or source_ip)"], Diagnose(Toml));
    }

    [Theory]
    [InlineData("header:")]
    [InlineData("query:x")]
    [InlineData("source-ip")]
    [InlineData("cookie:a b")]
    public void Load_MalformedHashOn_ListsForms(string hashOn)
    {
        string toml = $$"""
            [[clusters]]
            name = "a"
            lb = "ring_hash"
            hash_on = "{{hashOn}}"
            endpoints = [{ address = "10.0.0.1:80" }]
            """;

        Assert.Equal([$"meshy.toml:4:11: clusters[0].hash_on: must be header:NAME, cookie:NAME or source_ip (got \"{hashOn}\")"], Diagnose(toml));
    }

    [Fact]
    public void Load_HealthCheckTimeoutLongerThanInterval_ReportsAtTimeout()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            endpoints = [{ address = "10.0.0.1:80" }]
            health_check = { path = "/healthz", interval = "1s", timeout = "2s" }
            """;

        Assert.Equal([$"{At(Toml, "\"2s\"")}: clusters[0].health_check.timeout: must be a duration of at most interval (1s) (got \"2s\")"], Diagnose(Toml));
    }

    [Fact]
    public void Load_EmptyFault_AsksForDelayOrAbort()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              fault = {}
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal(["meshy.toml:4:11: routes[0].rules[0].fault: needs delay, abort or both"], Diagnose(Toml));
    }

    [Fact]
    public void Load_RedirectWithPathAndPrefix_ReportsTheConflict()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              redirect = { path = "/a", prefix = "/b" }
            """;

        Assert.Equal([$"{At(Toml, "prefix")}: routes[0].rules[0].redirect.prefix: cannot be combined with path (path replaces the whole path, prefix only the matched prefix)"], Diagnose(Toml));
    }
}
