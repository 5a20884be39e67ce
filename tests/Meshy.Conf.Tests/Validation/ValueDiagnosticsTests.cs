using static Meshy.Conf.Tests.TomlFixture;

namespace Meshy.Conf.Tests.Validation;

public sealed class ValueDiagnosticsTests
{
    private const string DurationExpected = "must be a duration such as \"250ms\", \"5s\", \"1.5s\", \"1m\" or \"1h\"";

    [Theory]
    [InlineData("5 sec")]
    [InlineData("5")]
    [InlineData("-1s")]
    [InlineData("1m30s")]
    [InlineData("1.5.2s")]
    [InlineData(".5s")]
    [InlineData("5.s")]
    [InlineData("5S")]
    [InlineData("1d")]
    [InlineData("")]
    public void Load_MalformedDuration_ReportsExpectedForms(string duration)
    {
        string toml = $"""
            [runtime]
            drain_timeout = "{duration}"
            """;

        Assert.Equal([$"meshy.toml:2:17: runtime.drain_timeout: {DurationExpected} (got \"{duration}\")"], Diagnose(toml));
    }

    [Fact]
    public void Load_DurationAsNumber_ReportsExpectedForms()
    {
        const string Toml = """
            [runtime]
            drain_timeout = 5
            """;

        Assert.Equal([$"meshy.toml:2:17: runtime.drain_timeout: {DurationExpected} (got 5)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_ZeroWherePositiveDurationNeeded_ReportsAboveZero()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            connect_timeout = "0s"
            endpoints = [{ address = "10.0.0.1:80" }]
            """;

        Assert.Equal(["meshy.toml:3:19: clusters[0].connect_timeout: must be a duration above 0 (got \"0s\")"], Diagnose(Toml));
    }

    [Fact]
    public void Load_ClusterReadTimeoutAboveADay_ReportsMaximum()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            read_timeout = "25h"
            endpoints = [{ address = "10.0.0.1:80" }]
            """;

        Assert.Equal(["meshy.toml:3:16: clusters[0].read_timeout: must be a duration of at most 24h (got \"25h\")"], Diagnose(Toml));
    }

    [Fact]
    public void Load_DurationAboveMaximum_ReportsMaximum()
    {
        const string Toml = """
            [runtime]
            drain_timeout = "2h"
            """;

        Assert.Equal(["meshy.toml:2:17: runtime.drain_timeout: must be a duration of at most 1h (got \"2h\")"], Diagnose(Toml));
    }

    [Theory]
    [InlineData("10.0.0.1", "missing port")]
    [InlineData("::1:80", "IPv6 addresses need brackets, as in [::1]:8080")]
    [InlineData("[::1]80", "missing port")]
    [InlineData("[10.0.0.1]:80", "not an IPv6 address in brackets")]
    [InlineData("10.0.0.1:70000", "port is not a number from 0 to 65535")]
    [InlineData("10.0.0.1:http", "port is not a number from 0 to 65535")]
    [InlineData("10.0.0:80", "not a valid IPv4 address")]
    [InlineData("10.0.0.256:80", "not a valid IPv4 address")]
    [InlineData("bad_host:80", "not a valid host name")]
    [InlineData(":80", "missing host")]
    public void Load_MalformedEndpointAddress_SaysWhatIsWrong(string address, string reason)
    {
        string toml = $$"""
            [[clusters]]
            name = "a"
            endpoints = [{ address = "{{address}}" }]
            """;

        Assert.Equal([$"meshy.toml:3:26: clusters[0].endpoints[0].address: must be an address host:port, IPv6 as [::1]:8080 (got \"{address}\": {reason})"], Diagnose(toml));
    }

    [Fact]
    public void Load_EndpointWithPortZero_ReportsPortRange()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            endpoints = [{ address = "10.0.0.1:0" }]
            """;

        Assert.Equal(["meshy.toml:3:26: clusters[0].endpoints[0].address: must be an address with a port from 1 to 65535 (got \"10.0.0.1:0\")"], Diagnose(Toml));
    }

    [Fact]
    public void Load_ListenerOnHostName_ReportsThatAnIpIsNeeded()
    {
        const string Toml = """
            [admin]
            address = "admin.example.com:15000"
            """;

        Assert.Equal(["meshy.toml:2:11: admin.address: must be an IP address (or localhost) and port to listen on, such as 0.0.0.0:8080 (got \"admin.example.com:15000\")"], Diagnose(Toml));
    }

    [Fact]
    public void Load_UnknownEnumValue_ListsAllowedValues()
    {
        const string Toml = """
            [[clusters]]
            name = "a"
            lb = "fastest"
            endpoints = [{ address = "10.0.0.1:80" }]
            """;

        Assert.Equal(["meshy.toml:3:6: clusters[0].lb: must be one of round_robin, least_request, random, ring_hash (got \"fastest\")"], Diagnose(Toml));
    }

    [Fact]
    public void Load_EnumValueInWrongCase_IsRejected()
    {
        const string Toml = """
            [[listeners]]
            name = "l"
            address = "127.0.0.1:0"
            protocol = "HTTP"
            routes = "r"
            [[routes]]
            name = "r"
              [[routes.rules]]
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal(["meshy.toml:4:12: listeners[0].protocol: must be one of http, tcp, auto (got \"HTTP\")"], Diagnose(Toml));
    }

    [Fact]
    public void Load_InvalidProtocolWithCluster_ReportsOnlyTheProtocol()
    {
        const string Toml = """
            [[listeners]]
            name = "pg"
            address = "127.0.0.1:0"
            protocol = "tpc"
            cluster = "web"
            """ + Cluster;

        Assert.Equal(["meshy.toml:4:12: listeners[0].protocol: must be one of http, tcp, auto (got \"tpc\")"], Diagnose(Toml));
    }

    [Theory]
    [InlineData("100.5")]
    [InlineData("-1")]
    [InlineData("-0.1")]
    [InlineData("inf")]
    [InlineData("nan")]
    [InlineData("\"50%\"")]
    public void Load_PercentOutOfRange_ReportsRange(string percent)
    {
        string toml = $$"""
            [[routes]]
            name = "r"
              [[routes.rules]]
              mirror = { cluster = "web", percent = {{percent}} }
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal([$"{At(toml, percent + " }")}: routes[0].rules[0].mirror.percent: must be a percentage from 0 to 100 (got {percent})"], Diagnose(toml));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.001")]
    [InlineData("100")]
    [InlineData("99.9")]
    public void Load_PercentInRange_IsAccepted(string percent)
    {
        string toml = $$"""
            [[routes]]
            name = "r"
              [[routes.rules]]
              fault.delay = { percent = {{percent}}, fixed = "1s" }
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal(double.Parse(percent, System.Globalization.CultureInfo.InvariantCulture), Load(toml).Routes[0].Rules[0].Fault!.Delay!.Percent);
    }

    [Theory]
    [InlineData(199)]
    [InlineData(600)]
    public void Load_AbortStatusOutOfRange_ReportsRange(int status)
    {
        string toml = $$"""
            [[routes]]
            name = "r"
              [[routes.rules]]
              fault.abort = { percent = 1, status = {{status}} }
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal([$"{At(toml, status.ToString(System.Globalization.CultureInfo.InvariantCulture))}: routes[0].rules[0].fault.abort.status: must be an HTTP status code from 200 to 599 (got {status})"], Diagnose(toml));
    }

    [Fact]
    public void Load_RespondStatusOutOfRange_ReportsRange()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              respond = { status = 99 }
            """;

        Assert.Equal([$"{At(Toml, "99")}: routes[0].rules[0].respond.status: must be an HTTP status code from 200 to 599 (got 99)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_RedirectStatusNotARedirect_ListsRedirectStatuses()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              redirect = { scheme = "https", status = 300 }
            """;

        Assert.Equal([$"{At(Toml, "300")}: routes[0].rules[0].redirect.status: must be a redirect status: 301, 302, 303, 307 or 308 (got 300)"], Diagnose(Toml));
    }

    [Fact]
    public void Load_InvalidRegex_ReportsTheEngineMessage()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              match.headers.user-agent.regex = '(('
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal([$"{At(Toml, "'(('")}: routes[0].rules[0].match.headers.user-agent.regex: invalid regex \"((\": Invalid pattern '((' at offset 2. Not enough )'s."], Diagnose(Toml));
    }

    [Fact]
    public void Load_RegexNeedingBacktracking_IsRejectedForTheLinearEngine()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              match.path.regex = '/(a)\1'
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal([$"{At(Toml, "'/(a)")}: routes[0].rules[0].match.path.regex: invalid regex \"/(a)\\\\1\": RegexOptions.NonBacktracking is not supported in conjunction with expressions containing: 'backreference (\\ number)'."], Diagnose(Toml));
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0/8")]
    [InlineData("fd00::/129")]
    [InlineData("10.0.0.0/")]
    [InlineData("nope")]
    public void Load_InvalidCidr_ReportsExpectedForm(string cidr)
    {
        string toml = $$"""
            [[routes]]
            name = "r"
              [[routes.rules]]
              match.source = ["10.0.0.0/8", "{{cidr}}"]
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal([$"{At(toml, $"\"{cidr}\"")}: routes[0].rules[0].match.source[1]: must be a CIDR range such as \"10.0.0.0/8\" or \"fd00::/8\" (no host bits set) (got \"{cidr}\")"], Diagnose(toml));
    }

    [Fact]
    public void Load_HostWithPort_ExplainsThatPortsAreIgnored()
    {
        const string Toml = """
            [[routes]]
            name = "r"
            hosts = ["ui", "ui:8080"]
              [[routes.rules]]
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal([$"{At(Toml, "\"ui:8080\"")}: routes[0].hosts[1]: must be a host name without port (ports are ignored when matching) (got \"ui:8080\")"], Diagnose(Toml));
    }

    [Fact]
    public void Load_BadHeaderNameAsTableKey_PointsAtTheKey()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              headers.request.set = { "x bad" = "1" }
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal([$"{At(Toml, "\"x bad\"")}: routes[0].rules[0].headers.request.set.x bad: must be a header name (letters, digits and !#$%&'*+-.^_`|~) (got \"x bad\")"], Diagnose(Toml));
    }

    [Fact]
    public void Load_HeaderValueWithLineBreak_IsRejected()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              headers.response.add = { x-a = "1\r\nx-b: 2" }
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal([$"{At(Toml, "\"1\\r")}: routes[0].rules[0].headers.response.add.x-a: must be a header value (a string without line breaks or NUL) (got \"1\\r\\nx-b: 2\")"], Diagnose(Toml));
    }

    [Fact]
    public void Load_LowerCaseMethod_AsksForUpperCase()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              match.method = ["GET", "post"]
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal([$"{At(Toml, "\"post\"")}: routes[0].rules[0].match.method[1]: must be an HTTP method in upper case, such as \"GET\" (got \"post\")"], Diagnose(Toml));
    }

    [Fact]
    public void Load_UnknownRetryCondition_ListsConditions()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              retries = { on = ["5xx", "timeout", "200"] }
              to = [{ cluster = "web" }]
            """ + Cluster;

        const string Expected = "must be one of connect-failure, refused-stream, reset, 5xx, gateway-error, retriable-4xx, or a status code from 400 to 599 as a string such as \"503\"";
        Assert.Equal(
            [
                $"{At(Toml, "\"timeout\"")}: routes[0].rules[0].retries.on[1]: {Expected} (got \"timeout\")",
                $"{At(Toml, "\"200\"")}: routes[0].rules[0].retries.on[2]: {Expected} (got \"200\")",
            ],
            Diagnose(Toml));
    }

    [Fact]
    public void Load_PathNotStartingWithSlash_IsRejected()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              match.path.prefix = "api/"
              to = [{ cluster = "web" }]
            """ + Cluster;

        Assert.Equal([$"{At(Toml, "\"api/\"")}: routes[0].rules[0].match.path.prefix: must be a path starting with '/' without spaces (got \"api/\")"], Diagnose(Toml));
    }

    [Fact]
    public void Load_UnknownAccessLogField_SuggestsNearest()
    {
        const string Toml = """
            [access_log]
            fields = ["time", "staus"]
            """;

        Assert.Equal([$"{At(Toml, "\"staus\"")}: access_log.fields[1]: unknown access log field \"staus\" (did you mean status?)"], Diagnose(Toml));
    }
}
