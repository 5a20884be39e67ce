using System.Net;
using Meshy.Filters.Tests.HttpProxy;

namespace Meshy.Filters.Tests.Mirror;

/// <summary>TOML for mirror tests: listener <c>web</c>, one rule to cluster <c>backend</c> mirrored to cluster <c>shadow</c>.</summary>
internal static class MirrorConfigs
{
    public static string Mirrored(EndPoint[] backend, EndPoint[] shadow, string mirror = """{ cluster = "shadow" }""", string ruleExtra = "", string shadowExtra = "", EndPoint[]? shadow2 = null) => $$"""
        [[listeners]]
        name = "web"
        address = "127.0.0.1:0"
        protocol = "http"
        routes = "web"

        [[routes]]
        name = "web"
        hosts = ["*"]

          [[routes.rules]]
          name = "default"
          match.path.prefix = "/"
          mirror = {{mirror}}
          {{ruleExtra}}
          to = [{ cluster = "backend" }]

        [[clusters]]
        name = "backend"
        connect_timeout = "1s"
        endpoints = [{{HttpProxyConfigs.Endpoints(backend)}}]

        [[clusters]]
        name = "shadow"
        connect_timeout = "1s"
        endpoints = [{{HttpProxyConfigs.Endpoints(shadow)}}]
        {{shadowExtra}}

        [[clusters]]
        name = "shadow2"
        connect_timeout = "1s"
        endpoints = [{{HttpProxyConfigs.Endpoints(shadow2 ?? shadow)}}]
        """;
}
