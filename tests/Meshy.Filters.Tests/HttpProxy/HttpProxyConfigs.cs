using System.Net;

namespace Meshy.Filters.Tests.HttpProxy;

/// <summary>TOML for HTTP proxy tests: one listener <c>web</c>, one table, one cluster <c>backend</c>.</summary>
internal static class HttpProxyConfigs
{
    public static string Simple(IPEndPoint upstream, string listenerExtra = "", string ruleExtra = "", string clusterExtra = "") => $$"""
        [[listeners]]
        name = "web"
        address = "127.0.0.1:0"
        protocol = "http"
        routes = "web"
        {{listenerExtra}}

        [[routes]]
        name = "web"
        hosts = ["*"]

          [[routes.rules]]
          name = "default"
          match.path.prefix = "/"
          {{ruleExtra}}
          to = [{ cluster = "backend" }]

        [[clusters]]
        name = "backend"
        connect_timeout = "1s"
        endpoints = [{{Endpoints(upstream)}}]
        {{clusterExtra}}
        """;

    public static string Endpoints(params EndPoint[] endpoints) =>
        string.Join(", ", endpoints.Select(e => $"{{ address = \"{e}\" }}"));
}
