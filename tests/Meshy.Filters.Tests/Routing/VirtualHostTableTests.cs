using System.Collections.Frozen;
using System.Text;
using Meshy.Filters.Router;

namespace Meshy.Filters.Tests.Routing;

/// <summary>Route table selection by Host: exact, then longest wildcard suffix, then <c>*</c>; port ignored; case-insensitive.</summary>
public sealed class VirtualHostTableTests
{
    private static readonly VirtualHostTable Hosts = Build();

    private static VirtualHostTable Build()
    {
        FrozenDictionary<string, RouteTable> tables = RoutingFixture.Compile("""
            [[routes]]
            name = "any"
            hosts = ["*"]
              [[routes.rules]]
              to = [{ cluster = "backend" }]
            [[routes]]
            name = "example"
            hosts = ["*.example.com"]
              [[routes.rules]]
              to = [{ cluster = "backend" }]
            [[routes]]
            name = "api-example"
            hosts = ["*.api.example.com"]
              [[routes.rules]]
              to = [{ cluster = "backend" }]
            [[routes]]
            name = "exact"
            hosts = ["www.example.com", "localhost"]
              [[routes.rules]]
              to = [{ cluster = "backend" }]
            """);
        return new VirtualHostTable([tables["any"], tables["example"], tables["api-example"], tables["exact"]]);
    }

    [Theory]
    [InlineData("www.example.com", "exact")]
    [InlineData("WWW.Example.COM:8080", "exact")]
    [InlineData("LocalHost:15001", "exact")]
    [InlineData("v1.api.example.com", "api-example")]
    [InlineData("a.b.api.example.com", "api-example")]
    [InlineData("api.example.com", "example")]
    [InlineData("shop.example.com:443", "example")]
    [InlineData("example.com", "any")]
    [InlineData("other.org", "any")]
    public void Find_MostSpecificHostWins(string authority, string expected) =>
        Assert.Equal(expected, Hosts.Find(Encoding.ASCII.GetBytes(authority))!.Name);

    [Fact]
    public void Find_NoWildcardAndNoExactMatch_ReturnsNull()
    {
        FrozenDictionary<string, RouteTable> tables = RoutingFixture.Compile("""
            [[routes]]
            name = "only"
            hosts = ["a.example.com", "*.b.example.com"]
              [[routes.rules]]
              to = [{ cluster = "backend" }]
            """);
        var hosts = new VirtualHostTable([tables["only"]]);
        Assert.Null(hosts.Find("c.example.com"u8));
        Assert.Null(hosts.Find("b.example.com"u8));
        Assert.Equal("only", hosts.Find("x.b.example.com:80"u8)!.Name);
    }
}
