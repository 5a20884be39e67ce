using Meshy.Bench.Load.Proxies;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>Every scenario, in the order <c>load</c> runs them by default.</summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<ILoadScenario> All() =>
    [
        new TcpThroughputScenario(),
        new TcpIdleScenario(),
        new Http1Scenario("http1-small", bodySize: 6),
        new Http1Scenario("http1-16k", bodySize: 16 * 1024),
        new Http1Scenario("http1-weighted", bodySize: 6, MeshyRouting.Weighted99To1, reference: "http1-small"),
        new Http1Scenario("http1-observed", bodySize: 6, accessLog: true, reference: "http1-small"),
        new Http1Scenario("http1-resilient", bodySize: 6, MeshyRouting.Resilient, reference: "http1-small"),
        new Http1Scenario("http1-mirrored", bodySize: 6, MeshyRouting.Mirror100, reference: "http1-small"),
        new Http1LatencyScenario(),
        new H2cScenario("h2c"),
        new H2cScenario("h2c-upstream", h2cUpstream: true),
    ];
}
