using System.Net;
using Meshy.Filters.Tests.HttpProxy;

namespace Meshy.Filters.Tests.Health;

/// <summary>TOML for upstream-health tests: listener <c>web</c> routing everything to cluster <c>backend</c>.</summary>
internal static class HealthConfigs
{
    public static string Web(string clusterExtra, params EndPoint[] endpoints) => $$"""
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
          to = [{ cluster = "backend" }]

        [[clusters]]
        name = "backend"
        connect_timeout = "1s"
        endpoints = [{{HttpProxyConfigs.Endpoints(endpoints)}}]
        {{clusterExtra}}
        """;

    /// <summary>A backend answering <paramref name="status"/> to everything, keep-alive.</summary>
    public static Meshy.Testing.FakeHttpUpstream Answering(Func<int> status) => Meshy.Testing.FakeHttpUpstream.Start(async (request, cancellationToken) =>
    {
        await request.ReadBodyAsync();
        await request.RespondAsync(status(), "x"u8.ToArray(), cancellationToken);
        return true;
    });
}
