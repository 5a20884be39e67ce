using System.Collections.Frozen;
using System.Text;
using Meshy.Conf.Compilation;
using Meshy.Conf.Loading;
using Meshy.Engine.Http;
using Meshy.Engine.Runtime;
using Meshy.Engine.Upstream;
using Meshy.Filters.Router;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshy.Filters.Tests.Routing;

/// <summary>Compiles route tables from TOML the way the proxy does, and builds request heads by hand.</summary>
internal static class RoutingFixture
{
    /// <summary>A config with one cluster <c>backend</c> (127.0.0.1:9) and <paramref name="routes"/>.</summary>
    public static FrozenDictionary<string, RouteTable> Compile(string routes)
    {
        string toml = routes + """

            [[clusters]]
            name = "backend"
            endpoints = [{ address = "127.0.0.1:9" }]
            """;
        ConfigLoadResult loaded = ConfigLoader.LoadText(toml, "test.toml");
        Assert.True(loaded.Success, string.Join('\n', loaded.Diagnostics));
        ProxySnapshot snapshot = new SnapshotCompiler(new EndpointRegistry(), []).Compile(loaded.Config!, "test.toml", buildListeners: false);
        var context = new CompilationContext { Config = loaded.Config!, Clusters = snapshot.Clusters };
        return new RouteTableCompiler([], NullLogger.Instance).GetTables(context);
    }

    /// <summary>One table <c>web</c> for every host with one rule <c>r</c> whose match is <paramref name="match"/> (TOML lines).</summary>
    public static RouteTable OneRule(string match) => Compile($$"""
        [[routes]]
        name = "web"

          [[routes.rules]]
          name = "r"
          {{match}}
          to = [{ cluster = "backend" }]
        """)["web"];

    /// <summary>A request head: <c>GET /</c> by default; <paramref name="target"/> may carry a query.</summary>
    public static HttpRequestHead Request(string target = "/", string method = "GET", string host = "example.com", params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestHead();
        request.SetMethod(method switch
        {
            "GET" => HttpMethodKind.Get,
            "POST" => HttpMethodKind.Post,
            "PUT" => HttpMethodKind.Put,
            "HEAD" => HttpMethodKind.Head,
            "DELETE" => HttpMethodKind.Delete,
            _ => HttpMethodKind.Custom,
        }, Encoding.ASCII.GetBytes(method));
        request.SetAuthority(Encoding.ASCII.GetBytes(host));
        int question = target.IndexOf('?', StringComparison.Ordinal);
        request.SetPath(Encoding.UTF8.GetBytes(question < 0 ? target : target[..question]));
        if (question >= 0)
        {
            request.SetQuery(Encoding.UTF8.GetBytes(target[(question + 1)..]));
        }
        foreach ((string name, string value) in headers)
        {
            request.Headers.Add(Encoding.ASCII.GetBytes(name), Encoding.Latin1.GetBytes(value));
        }
        return request;
    }
}
