using System.Net;

namespace Meshy.Integration.Tests;

/// <summary>TOML fragments the end-to-end tests combine.</summary>
internal static class Configs
{
    public static string Header(string drainTimeout = "5s") => $"""
        [admin]
        address = "127.0.0.1:0"

        [runtime]
        drain_timeout = "{drainTimeout}"

        """;

    public static string TcpListener(string name, string cluster) => Listener(name, "tcp", $"cluster = \"{cluster}\"");

    public static string HttpListener(string name, string routes) => Listener(name, "http", $"routes = \"{routes}\"");

    /// <summary>A listener on a port of its own choosing, <paramref name="target"/> being its cluster or route table line.</summary>
    private static string Listener(string name, string protocol, string target) => $"""
        [[listeners]]
        name = "{name}"
        address = "127.0.0.1:0"
        protocol = "{protocol}"
        {target}

        """;

    /// <summary>Route table <paramref name="name"/> with one rule, <c>all</c>, sending every request to <paramref name="cluster"/>.</summary>
    public static string RoutesAllTo(string name, string cluster) => $$"""
        [[routes]]
        name = "{{name}}"

          [[routes.rules]]
          name = "all"
          match.path.prefix = "/"
          to = [{ cluster = "{{cluster}}" }]

        """;

    public static string Cluster(string name, params IPEndPoint[] endpoints) => $"""
        [[clusters]]
        name = "{name}"
        connect_timeout = "1s"
        endpoints = [{string.Join(", ", endpoints.Select(e => $"{{ address = \"{e}\" }}"))}]

        """;

    public static string TcpProxy(IPEndPoint upstream, string drainTimeout = "5s") =>
        Header(drainTimeout) + TcpListener("tcp", "backend") + Cluster("backend", upstream);
}
