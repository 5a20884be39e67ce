using System.Diagnostics;
using Meshy.Engine.Runtime;
using Meshy.Testing;

namespace Meshy.Engine.Tests.Runtime;

/// <summary>
/// A connection's read deadline: expires at the last deadline armed, moves its timer only for an earlier one,
/// and never loses a deadline to a fire racing with an arm.
/// </summary>
public sealed class ReadDeadlineTimerTests
{
    private const int Idle = 1;
    private const int Header = 2;

    [Fact]
    public void Armed_ExpiresOnceItsDeadlinePasses_WithItsKind()
    {
        var time = new CountingTimeProvider();
        int expirations = 0;
        using var timer = new ReadDeadlineTimer(time, () => Interlocked.Increment(ref expirations));

        timer.Arm(Idle, TimeSpan.FromSeconds(10));
        time.Clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Equal(0, expirations);
        time.Clock.Advance(TimeSpan.FromSeconds(0.2));

        Assert.Equal(1, expirations);
        Assert.Equal(Idle, timer.TakeExpired());
        Assert.Equal(ReadDeadlineTimer.None, timer.TakeExpired());
    }

    [Fact]
    public void ArmedAgainAndAgainLater_TimerSetOnce_ExpiresAtTheLastDeadline()
    {
        var time = new CountingTimeProvider();
        int expirations = 0;
        using var timer = new ReadDeadlineTimer(time, () => Interlocked.Increment(ref expirations));

        // A keep-alive connection: a request every 100 ms for 5 s, the idle deadline armed again after each.
        for (int i = 0; i < 50; i++)
        {
            timer.Arm(Idle, TimeSpan.FromSeconds(10));
            time.Clock.Advance(TimeSpan.FromMilliseconds(100));
        }
        Assert.Equal(1, time.Changes);

        // The first fire (10 s after the first arm) is early for the last deadline (at 14.9 s): it waits out the rest.
        time.Clock.Advance(TimeSpan.FromSeconds(9.8));
        Assert.Equal(0, expirations);
        Assert.Equal(2, time.Changes);
        time.Clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(1, expirations);
        Assert.Equal(Idle, timer.TakeExpired());
    }

    [Fact]
    public void EarlierDeadline_MovesTheTimer()
    {
        var time = new CountingTimeProvider();
        int expirations = 0;
        using var timer = new ReadDeadlineTimer(time, () => Interlocked.Increment(ref expirations));

        timer.Arm(Idle, TimeSpan.FromSeconds(60));
        timer.Arm(Header, TimeSpan.FromSeconds(10));
        time.Clock.Advance(TimeSpan.FromSeconds(10.1));

        Assert.Equal(1, expirations);
        Assert.Equal(Header, timer.TakeExpired());
    }

    [Fact]
    public void Disarmed_FireDoesNothing_AndTheNextArmStillExpires()
    {
        var time = new CountingTimeProvider();
        int expirations = 0;
        using var timer = new ReadDeadlineTimer(time, () => Interlocked.Increment(ref expirations));

        timer.Arm(Idle, TimeSpan.FromSeconds(10));
        timer.Disarm();
        time.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(0, expirations);
        Assert.Equal(ReadDeadlineTimer.None, timer.TakeExpired());

        timer.Arm(Idle, TimeSpan.FromSeconds(10));
        time.Clock.Advance(TimeSpan.FromSeconds(10.1));
        Assert.Equal(1, expirations);
        Assert.Equal(Idle, timer.TakeExpired());
    }

    [Fact]
    public void Expire_EndsTheWaitAtOnceWithTheGivenKind()
    {
        var time = new CountingTimeProvider();
        int expirations = 0;
        using var timer = new ReadDeadlineTimer(time, () => Interlocked.Increment(ref expirations));
        timer.Arm(Idle, TimeSpan.FromSeconds(10));

        timer.Expire(3);

        Assert.Equal(1, expirations);
        Assert.Equal(3, timer.TakeExpired());
    }

    [Fact]
    public void Stopped_NeverExpires()
    {
        var time = new CountingTimeProvider();
        int expirations = 0;
        using var timer = new ReadDeadlineTimer(time, () => Interlocked.Increment(ref expirations));
        timer.Arm(Idle, TimeSpan.FromSeconds(10));

        timer.Stop();
        time.Clock.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal(0, expirations);
        Assert.Equal(0, time.Fires); // the timer itself stopped, not only the deadline
    }

    [Fact]
    public async Task ArmsRacingRealFires_EveryLastDeadlineExpires()
    {
        // Each round arms, then arms again around the time the first fire comes (on a timer thread): sometimes
        // later, so that fire is early and must wait out the rest, sometimes just before it, or racing it. An
        // expiry at or after the last deadline must come every time; a lost deadline never expires at all.
        var random = new Random(7);
        for (int round = 0; round < 200; round++)
        {
            var expiredAt = new List<long>();
            using var expired = new SemaphoreSlim(0);
            using var timer = new ReadDeadlineTimer(TimeProvider.System, () =>
            {
                lock (expiredAt)
                {
                    expiredAt.Add(Stopwatch.GetTimestamp());
                }
                expired.Release();
            });
            timer.Arm(Idle, TimeSpan.FromMilliseconds(2));
            SpinFor(TimeSpan.FromMilliseconds(random.NextDouble() * 4));
            TimeSpan due = TimeSpan.FromMilliseconds(1 + random.Next(3));
            long lastDeadline = Stopwatch.GetTimestamp() + (long)(due.TotalSeconds * Stopwatch.Frequency);
            timer.Arm(round % 2 == 0 ? Idle : Header, due);

            while (true)
            {
                Assert.True(await expired.WaitAsync(TimeSpan.FromSeconds(10)), $"round {round}: the last deadline never expired");
                lock (expiredAt)
                {
                    if (expiredAt[^1] < lastDeadline)
                    {
                        continue; // the first deadline's, passed before the second arm
                    }
                }
                if (timer.TakeExpired() != ReadDeadlineTimer.None)
                {
                    break;
                }
                // Still the first deadline's: its fire set the flag before the second arm cleared it, and its callback ran
                // late (a loaded host). The second deadline's expiry is still to come.
            }
        }
    }

    private static void SpinFor(TimeSpan span)
    {
        long end = Stopwatch.GetTimestamp() + (long)(span.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            Thread.SpinWait(20);
        }
    }

    /// <summary>A <see cref="ManualTimeProvider"/> that counts how often its timers are moved and fire.</summary>
    private sealed class CountingTimeProvider : TimeProvider
    {
        private int _changes;
        private int _fires;

        public ManualTimeProvider Clock { get; } = new();

        public int Changes => Volatile.Read(ref _changes);

        public int Fires => Volatile.Read(ref _fires);

        public override long GetTimestamp() => Clock.GetTimestamp();

        public override long TimestampFrequency => Clock.TimestampFrequency;

        public override DateTimeOffset GetUtcNow() => Clock.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            new CountingTimer(this, Clock.CreateTimer(
                fired =>
                {
                    Interlocked.Increment(ref _fires);
                    callback(fired);
                },
                state,
                dueTime,
                period));

        private sealed class CountingTimer(CountingTimeProvider owner, ITimer inner) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                Interlocked.Increment(ref owner._changes);
                return inner.Change(dueTime, period);
            }

            public void Dispose() => inner.Dispose();

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
