using System.Diagnostics;

namespace Meshy.Engine.Runtime;

/// <summary>
/// The time of the socket engine's current turn (the events one <c>epoll_wait</c> returned and the work they
/// queued), read from the clock once per turn, as haproxy and nginx keep theirs per loop. A request reads the
/// time about nine times (the balancer, the pool, the timers, the metrics); on a virtual machine each read costs
/// as much as a small parse. Off the engine's threads every read goes to the clock.
/// </summary>
/// <remarks>
/// Every event of a turn had arrived when <c>epoll_wait</c> returned, before the turn's first read: a duration
/// taken between two turns of one thread spans at least the I/O it measures, and is at most one turn longer.
/// Two engine threads' turns overlap, so a duration begun on one and ended on the other may come out up to a
/// turn short, even below zero: <see cref="Elapsed"/> reads such a pair as zero.
/// </remarks>
public static class TurnClock
{
    [ThreadStatic]
    private static bool t_engineThread;

    // 0: not read yet this turn.
    [ThreadStatic]
    private static long t_timestamp;

    [ThreadStatic]
    private static long t_utcTicks;

    /// <summary>The turn's <see cref="Stopwatch.GetTimestamp"/>; the clock's own off the engine's threads.</summary>
    public static long GetTimestamp()
    {
        if (!t_engineThread)
        {
            return Stopwatch.GetTimestamp();
        }
        long timestamp = t_timestamp;
        if (timestamp == 0)
        {
            t_timestamp = timestamp = Stopwatch.GetTimestamp();
        }
        return timestamp;
    }

    /// <summary>The turn's <see cref="DateTimeOffset.UtcNow"/>; the clock's own off the engine's threads.</summary>
    public static DateTimeOffset GetUtcNow()
    {
        if (!t_engineThread)
        {
            return DateTimeOffset.UtcNow;
        }
        long ticks = t_utcTicks;
        if (ticks == 0)
        {
            t_utcTicks = ticks = DateTimeOffset.UtcNow.UtcTicks;
        }
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    /// <summary>The time from <paramref name="start"/> to <paramref name="end"/> (turn timestamps); zero when they are out of order.</summary>
    public static TimeSpan Elapsed(long start, long end) => end > start ? Stopwatch.GetElapsedTime(start, end) : TimeSpan.Zero;

    /// <summary>Makes the calling thread an engine thread: its reads come from <see cref="BeginTurn"/>'s turn.</summary>
    internal static void UseOnThisThread() => t_engineThread = true;

    /// <summary>A new turn: its first read goes to the clock.</summary>
    internal static void BeginTurn()
    {
        t_timestamp = 0;
        t_utcTicks = 0;
    }
}
