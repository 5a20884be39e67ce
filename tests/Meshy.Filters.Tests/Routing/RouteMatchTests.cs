using System.Net;
using Meshy.Engine.Http;
using Meshy.Filters.Router;
using static Meshy.Filters.Tests.Routing.RoutingFixture;

namespace Meshy.Filters.Tests.Routing;

/// <summary>Every match kind and their combinations, through the compiled tables the proxy uses.</summary>
public sealed class RouteMatchTests
{
    private static readonly IPAddress Peer = IPAddress.Parse("10.1.2.3");

    private static bool Matches(string match, HttpRequestHead request, IPAddress? source = null) =>
        OneRule(match).TryMatch(request, source ?? Peer, out _, out _);

    [Theory]
    [InlineData("/api", true)]
    [InlineData("/api/", false)]
    [InlineData("/ap", false)]
    [InlineData("/API", false)]
    public void PathExact_ComparesWholePathCaseSensitively(string path, bool expected) =>
        Assert.Equal(expected, Matches("""match.path.exact = "/api" """, Request(path)));

    [Theory]
    [InlineData("/api/users", true)]
    [InlineData("/api/", true)]
    [InlineData("/api", false)]
    [InlineData("/v1/api/", false)]
    public void PathPrefix_MatchesLeadingBytes(string path, bool expected) =>
        Assert.Equal(expected, Matches("""match.path.prefix = "/api/" """, Request(path)));

    [Fact]
    public void PathPrefix_QueryIsNotPartOfPath_Matches() =>
        Assert.True(Matches("""match.path.exact = "/a" """, Request("/a?x=1")));

    [Theory]
    [InlineData("/users/42", true)]
    [InlineData("/users/42/x", false)]
    [InlineData("/x/users/42", false)]
    [InlineData("/users/", false)]
    public void PathRegex_IsFullMatch(string path, bool expected) =>
        Assert.Equal(expected, Matches("""match.path.regex = '/users/[0-9]+' """, Request(path)));

    [Fact]
    public void PathRegex_LongHostilePath_MatchesInLinearTime()
    {
        // A classic catastrophic-backtracking pattern: the non-backtracking engine answers at once.
        string path = "/" + new string('a', 20_000) + "!";
        Assert.False(Matches("""match.path.regex = '/(a+)+' """, Request(path)));
    }

    [Theory]
    [InlineData("alice", true)]
    [InlineData("Alice", false)]
    [InlineData("alice2", false)]
    public void HeaderExact_NameCaseInsensitiveValueCaseSensitive(string value, bool expected) =>
        Assert.Equal(expected, Matches("""match.headers.X-User.exact = "alice" """, Request(headers: ("x-user", value))));

    [Fact]
    public void HeaderExact_HeaderMissing_DoesNotMatch() =>
        Assert.False(Matches("""match.headers.x-user.exact = "alice" """, Request()));

    [Theory]
    [InlineData("Bearer abc", true)]
    [InlineData("Basic abc", false)]
    public void HeaderPrefix_MatchesLeadingText(string value, bool expected) =>
        Assert.Equal(expected, Matches("""match.headers.authorization.prefix = "Bearer " """, Request(headers: ("Authorization", value))));

    [Theory]
    [InlineData("Mozilla/5.0 (iPhone; CPU)", false)]
    [InlineData("x;iPhone;y", true)]
    [InlineData("iPhone", true)]
    [InlineData("iPhone;", true)]
    public void HeaderRegex_IsFullMatch(string value, bool expected) =>
        Assert.Equal(expected, Matches("""match.headers.user-agent.regex = '^(.*?;)?(iPhone)(;.*)?$' """, Request(headers: ("User-Agent", value))));

    [Fact]
    public void HeaderPresent_AnyValue_Matches()
    {
        Assert.True(Matches("""match.headers.x-debug.present = true""", Request(headers: ("X-Debug", ""))));
        Assert.False(Matches("""match.headers.x-debug.present = true""", Request()));
    }

    [Fact]
    public void HeaderAbsent_PresentFalse_MatchesOnlyWithoutHeader()
    {
        Assert.True(Matches("""match.headers.x-debug.present = false""", Request()));
        Assert.False(Matches("""match.headers.x-debug.present = false""", Request(headers: ("x-debug", "1"))));
    }

    [Fact]
    public void HeaderRepeated_ComparedAsValuesJoinedByComma()
    {
        HttpRequestHead request = Request(headers: [("x-tag", "a"), ("other", "z"), ("X-Tag", "b")]);
        Assert.True(Matches("""match.headers.x-tag.exact = "a,b" """, request));
        Assert.False(Matches("""match.headers.x-tag.exact = "a" """, request));
        Assert.True(Matches("""match.headers.x-tag.regex = 'a,.*' """, request));
    }

    [Fact]
    public void HeaderRepeated_LongerThanStackBuffer_StillJoined()
    {
        string a = new('a', 300);
        string b = new('b', 300);
        Assert.True(Matches($"""match.headers.x-tag.exact = "{a},{b}" """, Request(headers: [("x-tag", a), ("x-tag", b)])));
    }

    [Fact]
    public void Headers_SeveralConditions_AllMustHold()
    {
        string match = """
            match.headers.x-a.exact = "1"
            match.headers.x-b.prefix = "2"
            """;
        Assert.True(Matches(match, Request(headers: [("x-a", "1"), ("x-b", "22")])));
        Assert.False(Matches(match, Request(headers: [("x-a", "1")])));
        Assert.False(Matches(match, Request(headers: [("x-a", "0"), ("x-b", "2")])));
    }

    [Theory]
    [InlineData("/?debug=1", true)]
    [InlineData("/?a=b&debug=1", true)]
    [InlineData("/?debug=10", false)]
    [InlineData("/?debug", false)]
    [InlineData("/?xdebug=1", false)]
    [InlineData("/", false)]
    public void QueryExact_ComparesParameterValue(string target, bool expected) =>
        Assert.Equal(expected, Matches("""match.query.debug.exact = "1" """, Request(target)));

    [Fact]
    public void QueryExact_RepeatedParameter_FirstValueCounts()
    {
        Assert.True(Matches("""match.query.v.exact = "1" """, Request("/?v=1&v=2")));
        Assert.False(Matches("""match.query.v.exact = "2" """, Request("/?v=1&v=2")));
    }

    [Fact]
    public void QueryExact_PercentEncoded_DecodedBeforeComparing()
    {
        Assert.True(Matches("""match.query.name.exact = "a b/c" """, Request("/?name=a%20b%2Fc")));
        Assert.True(Matches("""match.query."a b".exact = "1" """, Request("/?a%20b=1")));
        // '+' is not a space for Envoy's query matcher; a malformed escape stays as written.
        Assert.True(Matches("""match.query.q.exact = "a+b%zz" """, Request("/?q=a+b%zz")));
    }

    [Theory]
    [InlineData("/?id=123", true)]
    [InlineData("/?id=12a", false)]
    [InlineData("/?id=x123", false)]
    public void QueryRegex_IsFullMatchOnDecodedValue(string target, bool expected) =>
        Assert.Equal(expected, Matches("""match.query.id.regex = '[0-9]+' """, Request(target)));

    [Fact]
    public void QueryPresent_ParameterWithoutValue_Matches() =>
        Assert.True(Matches("""match.query.debug.present = true""", Request("/?debug")));

    [Theory]
    [InlineData("GET", true)]
    [InlineData("HEAD", true)]
    [InlineData("POST", false)]
    [InlineData("get", false)]
    public void Method_OneOfList_Matches(string method, bool expected) =>
        Assert.Equal(expected, Matches("""match.method = ["GET", "HEAD"]""", Request(method: method)));

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("10.255.0.1", true)]
    [InlineData("11.0.0.1", false)]
    [InlineData("192.168.1.77", true)]
    [InlineData("192.168.1.78", false)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("fe80::1", false)]
    public void Source_PeerInAnyRange_Matches(string peer, bool expected) =>
        Assert.Equal(expected, Matches("""match.source = ["10.0.0.0/8", "192.168.1.77", "fd00::/8"]""", Request(), IPAddress.Parse(peer)));

    [Fact]
    public void Source_NonByteAlignedPrefix_ComparesBits()
    {
        Assert.True(Matches("""match.source = ["172.16.0.0/12"]""", Request(), IPAddress.Parse("172.31.255.255")));
        Assert.False(Matches("""match.source = ["172.16.0.0/12"]""", Request(), IPAddress.Parse("172.32.0.0")));
    }

    [Fact]
    public void Source_UnknownPeer_DoesNotMatch() =>
        Assert.False(OneRule("""match.source = ["0.0.0.0/0"]""").TryMatch(Request(), null, out _, out _));

    [Fact]
    public void Combination_PathHeaderQueryMethodSource_AllMustHold()
    {
        string match = """
            match.path.prefix = "/api/"
            match.headers.x-user.exact = "alice"
            match.query.v.exact = "2"
            match.method = ["POST"]
            match.source = ["10.0.0.0/8"]
            """;
        HttpRequestHead Make(string target = "/api/x?v=2", string method = "POST", string user = "alice") =>
            Request(target, method, headers: ("x-user", user));
        Assert.True(Matches(match, Make()));
        Assert.False(Matches(match, Make(target: "/web/x?v=2")));
        Assert.False(Matches(match, Make(target: "/api/x?v=1")));
        Assert.False(Matches(match, Make(method: "GET")));
        Assert.False(Matches(match, Make(user: "bob")));
        Assert.False(Matches(match, Make(), IPAddress.Parse("192.168.0.1")));
    }

    [Fact]
    public void MatchArray_AnyTableHolds_Matches()
    {
        string match = """match = [{ path.prefix = "/a" }, { headers.x-b.present = true, method = ["PUT"] }]""";
        Assert.True(Matches(match, Request("/a1")));
        Assert.True(Matches(match, Request("/z", "PUT", headers: ("x-b", "1"))));
        Assert.False(Matches(match, Request("/z", "GET", headers: ("x-b", "1"))));
        Assert.False(Matches(match, Request("/z")));
    }

    [Fact]
    public void MatchArray_ReportsWhichTableHeld()
    {
        RouteTable table = OneRule("""match = [{ path.exact = "/x" }, { path.prefix = "/api/" }]""");
        Assert.True(table.TryMatch(Request("/api/v"), Peer, out _, out RouteMatch? held));
        Assert.True(held.MatchesByPrefix);
        Assert.Equal(5, held.PrefixLength);
    }

    [Fact]
    public void Rules_FirstMatchWins_LaterRulesNotConsulted()
    {
        RouteTable table = Compile("""
            [[routes]]
            name = "web"
              [[routes.rules]]
              name = "canary"
              match.headers.x-canary.present = true
              to = [{ cluster = "backend" }]
              [[routes.rules]]
              name = "api"
              match.path.prefix = "/api"
              to = [{ cluster = "backend" }]
              [[routes.rules]]
              name = "rest"
              to = [{ cluster = "backend" }]
            """)["web"];
        Assert.True(table.TryMatch(Request("/api", headers: ("x-canary", "1")), Peer, out RouteRule? rule, out _));
        Assert.Equal("canary", rule.RuleName);
        Assert.True(table.TryMatch(Request("/api"), Peer, out rule, out _));
        Assert.Equal("api", rule.RuleName);
        Assert.True(table.TryMatch(Request("/other"), Peer, out rule, out _));
        Assert.Equal("rest", rule.RuleName);
    }

    [Fact]
    public void Rules_NoneMatches_NoRule() =>
        Assert.False(OneRule("""match.path.exact = "/only" """).TryMatch(Request("/else"), Peer, out _, out _));
}
