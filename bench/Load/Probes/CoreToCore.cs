using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Meshy.Bench.Load.Probes;

/// <summary>
/// How long a cache line takes to go from one core to another and back: two threads, each pinned to one of
/// the cores, hand a flag to each other.
/// </summary>
/// <remarks>
/// A proxy on one core and its load on the other hand every request across that pair of cores, and so does
/// the kernel (sockets, buffers), while <c>direct</c> runs on one core. In a VM the host decides whether the
/// two vCPUs share a last-level cache, and may move them while a run goes on: on the machines here the round
/// trip read 50–90 ns in one placement and 300–350 ns in the other, and in a five-round <c>http1-small</c> run
/// Meshy's requests per second were 0.89–0.93× direct in the first and 0.79–0.81× in the second. This figure tells
/// those runs apart.
/// </remarks>
internal static partial class CoreToCore
{
    private const int Batches = 21;
    private const int RoundTripsPerBatch = 5_000;
    private const int RoundTrips = Batches * RoundTripsPerBatch;
    // Spins between looks at the clock: reading it on every spin would add its own cost to each round trip.
    private const int SpinsPerClockRead = 1024;
    private static readonly TimeSpan AskerGivesUpAfter = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan AnswererGivesUpAfter = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The round trip between <paramref name="first"/> and <paramref name="second"/> in nanoseconds: the median of 21
    /// batches' means, so that a batch in which another thread took one of the cores for a while does not count. Null
    /// where a thread cannot be pinned to either core (not Linux, a core outside this process's set), or where all
    /// 105,000 round trips took more than 2 s (a core kept busy by something else).
    /// </summary>
    public static double? RoundTripNanoseconds(int first, int second)
    {
        if (!OperatingSystem.IsLinux() || first == second || first is < 0 or > 63 || second is < 0 or > 63)
        {
            return null;
        }
        var baton = new Baton();
        var answerer = new Thread(() => Answer(baton, second)) { IsBackground = true, Name = "core-to-core answerer" };
        double? result = null;
        var asker = new Thread(() => result = Ask(baton, first)) { IsBackground = true, Name = "core-to-core asker" };
        answerer.UnsafeStart();
        asker.UnsafeStart();
        asker.Join();
        // The answerer stops on its own (answered all, saw Stop or Failed, or its own deadline): this only bounds the wait.
        if (!answerer.Join(AnswererGivesUpAfter))
        {
            Interlocked.Exchange(ref baton.Flag, Baton.Stop);
        }
        return result;
    }

    /// <summary>Hands the line over and waits for it back, <see cref="RoundTrips"/> times; the median batch mean, or null.</summary>
    private static double? Ask(Baton baton, int cpu)
    {
        if (!PinThisThread(cpu))
        {
            Interlocked.Exchange(ref baton.Flag, Baton.Stop);
            return null;
        }
        long deadline = Stopwatch.GetTimestamp() + (long)(AskerGivesUpAfter.TotalSeconds * Stopwatch.Frequency);
        // The answerer says Resting once pinned (Failed if it could not be): only then does the first ask go.
        int state;
        while ((state = Volatile.Read(ref baton.Flag)) == Baton.Starting)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                Interlocked.Exchange(ref baton.Flag, Baton.Stop);
                return null;
            }
        }
        if (state != Baton.Resting)
        {
            return null;
        }
        var batchNanoseconds = new double[Batches];
        long batchStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < RoundTrips; i++)
        {
            // Plain writes on both sides, as the kernel's own hand-overs are: both deadlines bound any lost write.
            Volatile.Write(ref baton.Flag, Baton.Asked);
            int spins = 0;
            while (Volatile.Read(ref baton.Flag) == Baton.Asked)
            {
                if (++spins == SpinsPerClockRead)
                {
                    spins = 0;
                    if (Stopwatch.GetTimestamp() > deadline)
                    {
                        Interlocked.Exchange(ref baton.Flag, Baton.Stop);
                        return null;
                    }
                }
            }
            if ((i + 1) % RoundTripsPerBatch == 0)
            {
                long now = Stopwatch.GetTimestamp();
                batchNanoseconds[i / RoundTripsPerBatch] = (now - batchStart) * (1e9 / Stopwatch.Frequency) / RoundTripsPerBatch;
                batchStart = now;
            }
        }
        Interlocked.Exchange(ref baton.Flag, Baton.Stop);
        Array.Sort(batchNanoseconds);
        return batchNanoseconds[Batches / 2];
    }

    /// <summary>Hands the line back each time it is asked for, until told to stop or its own deadline passes.</summary>
    private static void Answer(Baton baton, int cpu)
    {
        if (!PinThisThread(cpu))
        {
            Interlocked.Exchange(ref baton.Flag, Baton.Failed);
            return;
        }
        long deadline = Stopwatch.GetTimestamp() + (long)(AnswererGivesUpAfter.TotalSeconds * Stopwatch.Frequency);
        if (Interlocked.CompareExchange(ref baton.Flag, Baton.Resting, Baton.Starting) != Baton.Starting)
        {
            return;     // the asker gave up already
        }
        int spins = 0;
        while (true)
        {
            int seen = Volatile.Read(ref baton.Flag);
            if (seen == Baton.Asked)
            {
                Volatile.Write(ref baton.Flag, Baton.Resting);
            }
            else if (seen != Baton.Resting)
            {
                return;
            }
            else if (++spins == SpinsPerClockRead)
            {
                spins = 0;
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    return;
                }
            }
        }
    }

    private static unsafe bool PinThisThread(int cpu)
    {
        ulong mask = 1UL << cpu;
        // pid 0: the calling thread alone, not the whole process.
        return SchedSetAffinity(0, sizeof(ulong), &mask) == 0;
    }

    [LibraryImport("libc", EntryPoint = "sched_setaffinity")]
    private static unsafe partial int SchedSetAffinity(int pid, nuint size, ulong* mask);

    /// <summary>The flag on a cache line of its own, so nothing else the threads touch moves with it.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private sealed class Baton
    {
        public const int Starting = 0;
        public const int Resting = 1;
        public const int Asked = 2;
        public const int Failed = 3;
        public const int Stop = 4;

        [FieldOffset(64)]
        public int Flag;
    }
}
