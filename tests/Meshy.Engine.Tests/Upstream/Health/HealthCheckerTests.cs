using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.Health;
using Meshy.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshy.Engine.Tests.Upstream.Health;

/// <summary>The checker's schedule and thresholds on a clock that moves only when told; probes are real requests.</summary>
public sealed class HealthCheckerTests
{
    private static readonly HealthCheckSettings Settings = new()
    {
        Path = "/healthz",
        Interval = TimeSpan.FromSeconds(10),
        Timeout = TimeSpan.FromSeconds(5),
        UnhealthyThreshold = 2,
        HealthyThreshold = 2,
    };

    [Fact]
    public async Task HealthChecker_ThresholdsAndJitteredInterval_FollowTheSettings()
    {
        int status = 503;
        await using FakeHttpUpstream backend = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.RespondAsync(Volatile.Read(ref status), [], cancellationToken);
            return false;
        });
        var clock = new ManualTime();
        EndpointSnapshot endpoint = TestSnapshots.Endpoint("backend", backend.EndPoint);
        var health = new ClusterHealth("backend", NullLogger.Instance);
        var checker = new HealthChecker(endpoint, health, Settings, clock);
        checker.Start();
        try
        {
            // 1. the first probe comes within one interval
            await Loopback.WaitUntilAsync(() => clock.PendingTimers == 1, "the checker waits for its first probe");
            Assert.Empty(backend.Requests);
            await ProbeAsync(clock, TimeSpan.FromSeconds(10), health, expected: 1);
            Assert.True(endpoint.State.Healthy);             // one failure of two

            // 2. the next comes no sooner than interval − 15 % and no later than interval + 15 %
            int fired = clock.Fired;
            clock.Advance(TimeSpan.FromSeconds(8.4));
            Assert.Equal(fired, clock.Fired);
            Assert.Single(backend.Requests);
            await ProbeAsync(clock, TimeSpan.FromSeconds(3.2), health, expected: 2);
            Assert.False(endpoint.State.Healthy);            // two failures in a row

            // 3. two passes in a row bring it back
            Volatile.Write(ref status, 204);
            await ProbeAsync(clock, TimeSpan.FromSeconds(11.5), health, expected: 3);
            Assert.False(endpoint.State.Healthy);
            await ProbeAsync(clock, TimeSpan.FromSeconds(11.5), health, expected: 4);
            Assert.True(endpoint.State.Healthy);
            Assert.Equal(2, health.HealthChecks(HealthCheckResult.Success));
            Assert.Equal(2, health.HealthChecks(HealthCheckResult.Failure));
        }
        finally
        {
            await checker.StopAsync();
        }
    }

    /// <summary>Moves the clock by <paramref name="by"/> and waits until probe number <paramref name="expected"/> is recorded and the next wait armed.</summary>
    private static async Task ProbeAsync(ManualTime clock, TimeSpan by, ClusterHealth health, int expected)
    {
        clock.Advance(by);
        await Loopback.WaitUntilAsync(
            () => health.HealthChecks(HealthCheckResult.Success) + health.HealthChecks(HealthCheckResult.Failure) == expected && clock.PendingTimers == 1,
            $"probe {expected} is recorded");
    }

    /// <summary>A clock with timers that fire only when <see cref="Advance"/> moves it past their due time.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private readonly Lock _lock = new();
        private readonly List<Timer> _timers = [];
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        private int _fired;

        /// <summary>Timer callbacks run so far.</summary>
        public int Fired => Volatile.Read(ref _fired);

        public int PendingTimers
        {
            get
            {
                lock (_lock)
                {
                    return _timers.Count(t => t.Due is not null);
                }
            }
        }

        public override DateTimeOffset GetUtcNow()
        {
            lock (_lock)
            {
                return _now;
            }
        }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => GetUtcNow().UtcTicks;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new Timer(this, callback, state);
            lock (_lock)
            {
                _timers.Add(timer);
            }
            timer.Change(dueTime, period);
            return timer;
        }

        public void Advance(TimeSpan by)
        {
            List<Timer> due = [];
            lock (_lock)
            {
                _now += by;
                foreach (Timer timer in _timers)
                {
                    if (timer.Due is { } at && at <= _now)
                    {
                        due.Add(timer);
                        timer.Due = timer.Period == Timeout.InfiniteTimeSpan ? null : at + timer.Period;
                    }
                }
            }
            foreach (Timer timer in due)
            {
                Interlocked.Increment(ref _fired);
                timer.Fire();
            }
        }

        private sealed class Timer(ManualTime clock, TimerCallback callback, object? state) : ITimer
        {
            public DateTimeOffset? Due { get; set; }

            public TimeSpan Period { get; private set; } = Timeout.InfiniteTimeSpan;

            public void Fire() => callback(state);

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                lock (clock._lock)
                {
                    Period = period;
                    Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock._now + dueTime;
                }
                return true;
            }

            public void Dispose()
            {
                lock (clock._lock)
                {
                    Due = null;
                    clock._timers.Remove(this);
                }
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}
