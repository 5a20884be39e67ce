using static Meshy.Conf.Tests.TomlFixture;

namespace Meshy.Conf.Tests.Validation;

public sealed class KeyDiagnosticsTests
{
    [Fact]
    public void Load_MisspeltKeyInArrayOfTables_ReportsUnknownKeyWithSuggestion()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            conect_timeout = "1s"
            endpoints = [{ address = "10.0.0.1:80" }]
            """;

        Assert.Equal(["meshy.toml:3:1: clusters[0].conect_timeout: unknown key (did you mean connect_timeout?)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_MisspeltTableHeader_PointsAtTheHeaderKey()
    {
        const string Toml = """
            [acces_log]
            enabled = true
            """;

        Assert.Equal(["meshy.toml:1:2: acces_log: unknown key (did you mean access_log?)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_UnknownKeyInsideInlineTable_IsReportedAtThatKey()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            endpoints = [{ address = "10.0.0.1:80", wieght = 2 }]
            """;

        Assert.Equal([$"{At(Toml, "wieght")}: clusters[0].endpoints[0].wieght: unknown key (did you mean weight?)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_UnknownPartOfDottedKey_PointsAtThatPart()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              match.path.prefx = "/"
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal([$"{At(Toml, "prefx")}: routes[0].rules[0].match.path.prefx: unknown key (did you mean prefix?)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_UnknownKeyWithNothingClose_ListsTheKnownKeys()
    {
        const string Toml = """
            [runtime]
            threads = 4
            """;

        Assert.Equal(["meshy.toml:2:1: runtime.threads: unknown key (expected one of: drain_timeout, max_connections)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_UnknownRootKey_IsReported()
    {
        const string Toml = """
            cluster = "web"
            """;

        Assert.Equal(["meshy.toml:1:1: cluster: unknown key (did you mean clusters?)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_StringWhereIntegerExpected_ReportsTypeAtValue()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            endpoints = [{ address = "10.0.0.1:80" }]
            limits = { max_requests = "10" }
            """;

        Assert.Equal([$"{At(Toml, "\"10\"")}: clusters[0].limits.max_requests: must be a positive integer (got \"10\")"], Diagnose(Toml));
    }

    [Fact]
    public void Load_FloatWhereIntegerExpected_ReportsTypeAtValue()
    {
        const string Toml = """
            [runtime]
            max_connections = 1.5
            """;

        Assert.Equal(["meshy.toml:2:19: runtime.max_connections: must be an integer from 1 to 10000000 (got 1.5)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_ScalarWhereTableExpected_ReportsTypeAtValue()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            endpoints = [{ address = "10.0.0.1:80" }]
            limits = 5
            """;

        Assert.Equal(["meshy.toml:4:10: clusters[0].limits: must be a table (got 5)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_TableWhereArrayOfTablesExpected_ReportsType()
    {
        const string Toml = """
            [clusters]
            name = "a"
            """;

        Assert.Equal(["meshy.toml:1:1: clusters: must be an array of tables ([[clusters]]) (got a table)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_BooleanWhereStringExpected_ReportsType()
    {
        const string Toml = """
            [access_log]
            path = true
            """;

        Assert.Equal(["meshy.toml:2:8: access_log.path: must be a non-empty string (got true)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_DateTimeValue_IsNamedInTheMessage()
    {
        const string Toml = """
            [runtime]
            drain_timeout = 1979-05-27
            """;

        Assert.Equal(["meshy.toml:2:17: runtime.drain_timeout: must be a duration such as \"250ms\", \"5s\", \"1.5s\", \"1m\" or \"1h\" (got date-time 1979-05-27)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_MissingRequiredKeyInArrayOfTables_PointsAtTheHeader()
    {
        const string Toml = """
            [[clusters]]
            endpoints = [{ address = "10.0.0.1:80" }]
            """;

        Assert.Equal(["meshy.toml:1:1: clusters[0].name: missing required key"], Diagnose(Toml));
    }

    [Fact]
    public void Load_MissingRequiredKeyInInlineTable_PointsAtTheBrace()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              fault.abort = { percent = 1.0 }
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal([$"{At(Toml, "{ percent")}: routes[0].rules[0].fault.abort.status: missing required key (an HTTP status code from 200 to 599)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_MissingEndpoints_PointsAtTheCluster()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            """;

        Assert.Equal(["meshy.toml:1:1: clusters[0].endpoints: missing required key (an array such as [{ address = \"10.0.0.5:8080\" }])"], Diagnose(Toml));
    }

    [Fact]
    public void Load_InvalidName_ReportsExpectedCharacters()
    {
        const string Toml = """
            [[clusters]]
            name = "my cluster"
            endpoints = [{ address = "10.0.0.1:80" }]
            """;

        Assert.Equal(["meshy.toml:2:8: clusters[0].name: must be a name of letters, digits, '-', '_' and '.', starting with a letter or digit (got \"my cluster\")"], Diagnose(Toml));
    }
}
