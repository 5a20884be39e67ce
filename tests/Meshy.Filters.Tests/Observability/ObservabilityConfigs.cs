using System.Net;

namespace Meshy.Filters.Tests.Observability;

/// <summary>
/// TOML for telemetry tests: listener <c>web</c> (HTTP) with rules <c>api</c> (subset v1), <c>plain</c>
/// (cluster backend, no subset), <c>dead</c> (an endpoint that refuses), <c>fault</c> (every request aborted
/// 503 <c>FI</c>, attributed to backend v1) and <c>held</c> (cluster <c>held</c>: the backend's address as
/// version v2, <c>max_requests = 1</c>); listener <c>tcp</c> to cluster <c>echo</c>.
/// </summary>
internal static class ObservabilityConfigs
{
    public static string Mixed(IPEndPoint backend, IPEndPoint refusing, IPEndPoint echo, string accessLog) => $$"""
        {{accessLog}}

        [[listeners]]
        name = "web"
        address = "127.0.0.1:0"
        protocol = "http"
        routes = "web"

        [[listeners]]
        name = "tcp"
        address = "127.0.0.1:0"
        protocol = "tcp"
        cluster = "echo"

        [[routes]]
        name = "web"
        hosts = ["*"]

          [[routes.rules]]
          name = "api"
          match.path.prefix = "/api"
          to = [{ cluster = "backend", subset = "v1" }]

          [[routes.rules]]
          name = "plain"
          match.path.prefix = "/status"
          to = [{ cluster = "backend" }]

          [[routes.rules]]
          name = "dead"
          match.path.prefix = "/dead"
          to = [{ cluster = "dead" }]

          [[routes.rules]]
          name = "fault"
          match.path.prefix = "/fault"
          fault.abort = { percent = 100, status = 503 }
          to = [{ cluster = "backend", subset = "v1" }]

          [[routes.rules]]
          name = "held"
          match.path.prefix = "/held"
          to = [{ cluster = "held" }]

        [[clusters]]
        name = "backend"
        endpoints = [{ address = "{{backend}}", labels = { version = "v1" } }]
        subsets = [{ name = "v1", labels = { version = "v1" } }]

        [[clusters]]
        name = "dead"
        endpoints = [{ address = "{{refusing}}" }]

        [[clusters]]
        name = "held"
        endpoints = [{ address = "{{backend}}", labels = { version = "v2" } }]
        limits = { max_requests = 1 }

        [[clusters]]
        name = "echo"
        endpoints = [{ address = "{{echo}}", labels = { version = "v9" } }]
        """;

    public static string AccessLogTo(string path, string fields = "") =>
        $"[access_log]\npath = \"{path}\"\n{(fields.Length > 0 ? $"fields = [{fields}]" : "")}\n";
}
