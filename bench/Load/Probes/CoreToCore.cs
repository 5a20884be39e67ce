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
/// trip read 50–90 ns in one placement and 330–345 ns in the other, and requests per second through Meshy
/// fell from about 0.96× direct to about 0.82× with it. This figure tells those runs apart.
/// </remarks>
internal static partial class CoreToCore
{
    private const int Batches = 21;
    private const int RoundTripsPerBatch = 5_000;
    private const int RoundTrips = Batches * RoundTripsPerBatch;
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The round trip between <paramref name="first"/> and <paramref name="second"/> in nanoseconds: the median of 21
    /// batches' means, so that a batch in which another thread took one of the cores for a while does not count; null
    /// where a thread cannot be pinned there (not Linux, a core outside this process's set) or the other side
    /// never answered within 2 s.
    /// </summary>
    public static double? RoundTripNanoseconds(int first, int second)
    {
        if (!OperatingSystem.IsLinux() || first == second || first is < 0 or > 63 || second is < 0 or > 63)
        {
            return null;
        }
        var baton = new Baton();
        bool pinned = true;
        var answerer = new Thread(() =>
        {
            if (!PinThisThread(second))
            {
                pinned = false;
                Volatile.Write(ref baton.Flag, Baton.Failed);
                return;
            }
            for (int i = 0; i < RoundTrips; i++)
            {
                int seen;
                while ((seen = Volatile.Read(ref baton.Flag)) == Baton.Resting)
                {
                }
                if (seen == Baton.Stop)
                {
                    return;
                }
                Volatile.Write(ref baton.Flag, Baton.Resting);
            }
        }) { IsBackground = true, Name = "core-to-core answerer" };

        double? result = null;
        var asker = new Thread(() =>
        {
            if (!PinThisThread(first))
            {
                pinned = false;
                Volatile.Write(ref baton.Flag, Baton.Stop);
                return;
            }
            var clock = Stopwatch.StartNew();
            var batchNanoseconds = new double[Batches];
            long batchStart = clock.ElapsedTicks;
            for (int i = 0; i < RoundTrips; i++)
            {
                Volatile.Write(ref baton.Flag, Baton.Asked);
                int seen;
                while ((seen = Volatile.Read(ref baton.Flag)) == Baton.Asked)
                {
                    if (clock.Elapsed > GiveUpAfter)
                    {
                        Volatile.Write(ref baton.Flag, Baton.Stop);
                        return;
                    }
                }
                if (seen == Baton.Failed)
                {
                    return;
                }
                if ((i + 1) % RoundTripsPerBatch == 0)
                {
                    long now = clock.ElapsedTicks;
                    batchNanoseconds[i / RoundTripsPerBatch] = (now - batchStart) * (1e9 / Stopwatch.Frequency) / RoundTripsPerBatch;
                    batchStart = now;
                }
            }
            Array.Sort(batchNanoseconds);
            result = batchNanoseconds[Batches / 2];
        }) { IsBackground = true, Name = "core-to-core asker" };

        answerer.UnsafeStart();
        asker.UnsafeStart();
        asker.Join();
        if (answerer.IsAlive && !answerer.Join(GiveUpAfter))
        {
            Volatile.Write(ref baton.Flag, Baton.Stop);
        }
        return pinned ? result : null;
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
        public const int Resting = 0;
        public const int Asked = 1;
        public const int Failed = 2;
        public const int Stop = 3;

        [FieldOffset(64)]
        public int Flag;
    }
}
