using System.Net;
using Meshy.Filters.Tests.HttpProxy;

namespace Meshy.Filters.Tests.Retries;

/// <summary>TOML for retry tests: listener <c>web</c>, one rule with <c>retries</c>, cluster <c>backend</c> over several endpoints.</summary>
internal static class RetryConfigs
{
    public static string Retrying(string retries, EndPoint[] endpoints, string ruleExtra = "", string clusterExtra = "") => $$"""
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
          retries = {{retries}}
          {{ruleExtra}}
          to = [{ cluster = "backend" }]

        [[clusters]]
        name = "backend"
        connect_timeout = "1s"
        endpoints = [{{HttpProxyConfigs.Endpoints(endpoints)}}]
        {{clusterExtra}}
        """;
}
