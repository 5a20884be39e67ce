using System.Runtime.InteropServices;

namespace Meshy.Bench.Load.Tools;

/// <summary>
/// CLOCK_MONOTONIC in nanoseconds and a sleep until an absolute point of it, for <c>http-rate</c>'s
/// schedule. .NET's <c>Thread.Sleep</c> has millisecond resolution and its timers fire late by a
/// millisecond or more, which at 1,000 requests/s would be the whole interval;
/// <c>clock_nanosleep(TIMER_ABSTIME)</c> with a 1 ns timer slack wakes within the scheduler's
/// wake-up latency and never drifts. Linux only, like the rest of the load suite.
/// </summary>
internal static partial class MonotonicClock
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsolute = 1;
    private const int Interrupted = 4;                              // EINTR
    private const int SetTimerSlack = 29;                           // PR_SET_TIMERSLACK
    private const long NanosecondsPerSecond = 1_000_000_000;

    public static long NowNanoseconds()
    {
        ClockGetTime(ClockMonotonic, out Timespec now);
        return now.Seconds * NanosecondsPerSecond + now.Nanoseconds;
    }

    /// <summary>Returns at or after <paramref name="deadline"/> (from <see cref="NowNanoseconds"/>); at once when it has passed.</summary>
    public static void SleepUntil(long deadline)
    {
        var until = new Timespec(deadline / NanosecondsPerSecond, deadline % NanosecondsPerSecond);
        while (NowNanoseconds() < deadline)
        {
            // Returns the error number itself (not -1 and errno); only EINTR is worth a retry.
            int error = ClockNanosleep(ClockMonotonic, TimerAbsolute, in until, IntPtr.Zero);
            if (error != 0 && error != Interrupted)
            {
                throw new InvalidOperationException($"clock_nanosleep failed with error {error}");
            }
        }
    }

    /// <summary>
    /// Lets the kernel wake the calling thread at its deadline instead of up to 50 µs later (the
    /// default slack of a normal-priority thread, which it uses to batch wake-ups). Per thread.
    /// </summary>
    public static void UseExactTimersOnThisThread() => Prctl(SetTimerSlack, 1, 0, 0, 0);

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Timespec(long Seconds, long Nanoseconds);

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec time);

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, in Timespec request, IntPtr remaining);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, nuint argument2, nuint argument3, nuint argument4, nuint argument5);
}
