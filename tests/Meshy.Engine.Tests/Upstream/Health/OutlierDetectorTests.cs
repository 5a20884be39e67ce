using System.Collections.Immutable;
using System.Net;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.Health;
using Meshy.Engine.Upstream.LoadBalancing;
using Meshy.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshy.Engine.Tests.Upstream.Health;

public sealed class OutlierDetectorTests
{
    private readonly ManualUtcClock _clock = new();

    private (OutlierDetector Detector, ImmutableArray<EndpointSnapshot> Endpoints, ClusterHealth Health) Create(
        int endpointCount, int consecutive5xx = 3, int gateway = 0, double maxPercent = 100, TimeSpan? baseEjection = null)
    {
        ImmutableArray<EndpointSnapshot> endpoints =
            [.. Enumerable.Range(0, endpointCount).Select(i => TestSnapshots.Endpoint("c", new IPEndPoint(IPAddress.Loopback, 10_000 + i)))];
        var health = new ClusterHealth("c", NullLogger.Instance);
        var settings = new OutlierDetectionSettings
        {
            Consecutive5xx = consecutive5xx,
            ConsecutiveGatewayErrors = gateway,
            Interval = TimeSpan.FromSeconds(10),
            BaseEjectionTime = baseEjection ?? TimeSpan.FromSeconds(30),
            MaxEjectionPercent = maxPercent,
        };
        return (new OutlierDetector(settings, endpoints, health, _clock), endpoints, health);
    }

    private bool Available(EndpointSnapshot endpoint) => endpoint.State.IsAvailable(_clock.GetUtcNow().UtcTicks);

    [Fact]
    public void OutlierDetector_Consecutive5xxReached_EjectsAtOnce()
    {
        (OutlierDetector detector, ImmutableArray<EndpointSnapshot> endpoints, ClusterHealth health) = Create(2);
        EndpointState state = endpoints[0].State;

        detector.ReportStatus(state, 500);
        detector.ReportStatus(state, 503);
        Assert.True(Available(endpoints[0]));
        Assert.Equal(2, state.Consecutive5xx);

        detector.ReportStatus(state, 500);

        Assert.False(Available(endpoints[0]));
        Assert.True(Available(endpoints[1]));
        Assert.Equal(1, health.Ejections);
        Assert.Equal(1, state.TimesEjected);
        Assert.Equal(0, state.Consecutive5xx);
    }

    [Fact]
    public void OutlierDetector_SuccessBetweenFailures_ResetsTheRun()
    {
        (OutlierDetector detector, ImmutableArray<EndpointSnapshot> endpoints, ClusterHealth health) = Create(2);
        EndpointState state = endpoints[0].State;

        detector.ReportStatus(state, 500);
        detector.ReportStatus(state, 500);
        detector.ReportStatus(state, 404);         // an answer that is not 5xx is a success
        detector.ReportStatus(state, 500);
        detector.ReportGatewayFailure(state);

        Assert.True(Available(endpoints[0]));
        Assert.Equal(2, state.Consecutive5xx);
        Assert.Equal(0, health.Ejections);
        detector.ReportSuccess(state);
        Assert.Equal(0, state.Consecutive5xx);
    }

    [Fact]
    public void OutlierDetector_GatewayTrigger_CountsOnly502To504AndFailures()
    {
        (OutlierDetector detector, ImmutableArray<EndpointSnapshot> endpoints, _) = Create(2, consecutive5xx: 0, gateway: 3);
        EndpointState state = endpoints[0].State;

        detector.ReportStatus(state, 502);
        detector.ReportGatewayFailure(state);
        detector.ReportStatus(state, 500);         // a 5xx that is not a gateway error ends the gateway run
        Assert.Equal(0, state.ConsecutiveGatewayErrors);
        detector.ReportStatus(state, 503);
        detector.ReportStatus(state, 504);
        Assert.True(Available(endpoints[0]));

        detector.ReportGatewayFailure(state);

        Assert.False(Available(endpoints[0]));
    }

    [Fact]
    public void OutlierDetector_EjectionTime_ReturnsWhenItPasses()
    {
        (OutlierDetector detector, ImmutableArray<EndpointSnapshot> endpoints, _) = Create(2, consecutive5xx: 1);

        detector.ReportStatus(endpoints[0].State, 500);
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(Available(endpoints[0]));
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True(Available(endpoints[0]));
        detector.Review();
        Assert.Equal(0, endpoints[0].State.EjectedUntilTicks);
    }

    [Fact]
    public void OutlierDetector_EjectedAgain_LastsBaseTimesMultiplierUntilTheCap()
    {
        (OutlierDetector detector, ImmutableArray<EndpointSnapshot> endpoints, _) = Create(2, consecutive5xx: 1, baseEjection: TimeSpan.FromSeconds(100));
        EndpointState state = endpoints[0].State;
        long Remaining() => (state.EjectedUntilTicks - _clock.GetUtcNow().UtcTicks) / TimeSpan.TicksPerSecond;

        detector.ReportStatus(state, 500);
        Assert.Equal(100, Remaining());
        _clock.Advance(TimeSpan.FromSeconds(100));
        detector.ReportStatus(state, 500);
        Assert.Equal(200, Remaining());
        _clock.Advance(TimeSpan.FromSeconds(200));
        detector.ReportStatus(state, 500);
        Assert.Equal(300, Remaining());            // base × 3 = 300 s: the default cap
        _clock.Advance(TimeSpan.FromSeconds(300));
        detector.ReportStatus(state, 500);
        Assert.Equal(300, Remaining());            // base × 4 = 400 s, capped at 300 s
        Assert.Equal(4, state.EjectionMultiplier);
    }

    [Fact]
    public void OutlierDetector_ReviewWhileInService_DecaysTheMultiplierByOnePerInterval()
    {
        (OutlierDetector detector, ImmutableArray<EndpointSnapshot> endpoints, _) = Create(2, consecutive5xx: 1);
        EndpointState state = endpoints[0].State;
        detector.ReportStatus(state, 500);
        _clock.Advance(TimeSpan.FromSeconds(30));
        detector.Review();                         // the return: no decay in the same review
        Assert.Equal(1, state.EjectionMultiplier);
        detector.ReportStatus(state, 500);         // ejected again: 2 × 30 s
        Assert.Equal(2, state.EjectionMultiplier);
        _clock.Advance(TimeSpan.FromSeconds(60));
        detector.Review();
        Assert.Equal(2, state.EjectionMultiplier);

        detector.Review();
        Assert.Equal(1, state.EjectionMultiplier);
        detector.Review();
        detector.Review();
        Assert.Equal(0, state.EjectionMultiplier);
        detector.ReportStatus(state, 500);         // back to the base time
        Assert.Equal(TimeSpan.FromSeconds(30).Ticks, state.EjectedUntilTicks - _clock.GetUtcNow().UtcTicks);
    }

    [Theory]
    [InlineData(4, 50, 2)]         // half of 4
    [InlineData(3, 50, 1)]         // 1.5 rounds down
    [InlineData(3, 10, 1)]         // 0.3 rounds down to 0, but one is always allowed
    [InlineData(3, 100, 3)]
    public void OutlierDetector_MaxEjectionPercent_BoundsEjectedEndpoints(int count, double percent, int expectedEjected)
    {
        (OutlierDetector detector, ImmutableArray<EndpointSnapshot> endpoints, ClusterHealth health) = Create(count, consecutive5xx: 1, maxPercent: percent);

        foreach (EndpointSnapshot endpoint in endpoints)
        {
            detector.ReportStatus(endpoint.State, 500);
        }

        Assert.Equal(expectedEjected, endpoints.Count(e => !Available(e)));
        Assert.Equal(expectedEjected, health.Ejections);
    }

    [Fact]
    public void OutlierDetector_RefusedEjection_HappensOnTheNextFailureOnceRoomIsMade()
    {
        (OutlierDetector detector, ImmutableArray<EndpointSnapshot> endpoints, _) = Create(2, consecutive5xx: 2, maxPercent: 50);
        detector.ReportStatus(endpoints[0].State, 500);
        detector.ReportStatus(endpoints[0].State, 500);
        detector.ReportStatus(endpoints[1].State, 500);
        detector.ReportStatus(endpoints[1].State, 500);
        Assert.True(Available(endpoints[1]));      // one of two at most

        _clock.Advance(TimeSpan.FromSeconds(30));  // the first is back
        detector.ReportStatus(endpoints[1].State, 500);

        Assert.False(Available(endpoints[1]));
        Assert.True(Available(endpoints[0]));
    }

    [Fact]
    public void OutlierDetector_FailuresWhileEjected_AreNotCounted()
    {
        (OutlierDetector detector, ImmutableArray<EndpointSnapshot> endpoints, ClusterHealth health) = Create(2, consecutive5xx: 1);
        detector.ReportStatus(endpoints[0].State, 500);

        detector.ReportStatus(endpoints[0].State, 500);       // an answer to a try sent before the ejection

        Assert.Equal(1, health.Ejections);
        Assert.Equal(0, endpoints[0].State.Consecutive5xx);
    }

    [Fact]
    public void Balancer_PanicContext_PicksUnavailableEndpoints()
    {
        (OutlierDetector detector, ImmutableArray<EndpointSnapshot> endpoints, _) = Create(2, consecutive5xx: 1);
        detector.ReportStatus(endpoints[0].State, 500);
        endpoints[1].State.Healthy = false;
        var balancer = new WeightedRoundRobinBalancer(endpoints);
        long now = _clock.GetUtcNow().UtcTicks;

        Assert.Null(balancer.Pick(new LoadBalancerContext(now)));
        Assert.NotNull(balancer.Pick(new LoadBalancerContext(now, panic: true)));
    }

    /// <summary>A UTC clock that moves only when told.</summary>
    private sealed class ManualUtcClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
