using System.Diagnostics;

namespace Meshy.Filters.Observability.AccessLog;

/// <summary>
/// The wall-clock time of a <see cref="Stopwatch"/> timestamp, for the <c>time</c> field, without reading the
/// system clock per line: each thread reads it at most once a second (an anchor: the clock and the stopwatch
/// read together) and adds the stopwatch's elapsed time since.
/// </summary>
/// <remarks>
/// A step of the system clock (NTP, an operator) shows in lines at most a second later; between steps the two
/// clocks drift by less than a millisecond a second. Durations never depend on the anchor.
/// </remarks>
internal static class AccessLogClock
{
    [ThreadStatic]
    private static long t_anchorTimestamp;

    [ThreadStatic]
    private static long t_anchorTicks; // DateTime.UtcNow.Ticks at t_anchorTimestamp; 0: not read yet

    /// <summary>The UTC time, in <see cref="DateTime"/> ticks, of <paramref name="timestamp"/>, read at <paramref name="now"/> (both <see cref="Stopwatch"/> timestamps).</summary>
    public static long UtcTicks(long timestamp, long now)
    {
        // NOTE: an anchor newer than now (a refresh after the caller read its clock) is as good as any.
        if (t_anchorTicks == 0 || now - t_anchorTimestamp > Stopwatch.Frequency)
        {
            t_anchorTimestamp = Stopwatch.GetTimestamp();
            t_anchorTicks = DateTime.UtcNow.Ticks;
        }
        return t_anchorTicks + Stopwatch.GetElapsedTime(t_anchorTimestamp, timestamp).Ticks;
    }
}
