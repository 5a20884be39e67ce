using Meshy.Bench.Load.Probes;

namespace Meshy.Cli.Tests.Bench;

public sealed class CoreToCoreTests
{
    [Fact]
    public void RoundTrip_TwoCoresOfThisProcess_IsAMeasuredTimeNotAFailure()
    {
        int[] cores = AllowedCores();
        if (cores.Length < 2)
        {
            // Nothing to hand the line to: the probe says so instead of inventing a figure.
            Assert.Null(CoreToCore.RoundTripNanoseconds(cores[0], cores[0] + 1 > 63 ? 0 : cores[0] + 1));
            return;
        }

        double? roundTrip = CoreToCore.RoundTripNanoseconds(cores[0], cores[1]);

        // A line handed over and back costs at least a few ns and, on any machine that answers at all, far less
        // than the probe's 2 s limit spread over its 100,000 round trips.
        Assert.NotNull(roundTrip);
        Assert.InRange(roundTrip.Value, 1, 20_000);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-1, 0)]
    [InlineData(0, 64)]
    public void RoundTrip_SameCoreOrOutOfRange_IsNull(int first, int second) =>
        Assert.Null(CoreToCore.RoundTripNanoseconds(first, second));

    /// <summary>The cores this process may run on, from the kernel's view of it (a test runner may be pinned).</summary>
    private static int[] AllowedCores()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        var cores = new List<int>();
        foreach (string range in line["Cpus_allowed_list:".Length..].Trim().Split(','))
        {
            string[] ends = range.Split('-');
            int from = int.Parse(ends[0], System.Globalization.CultureInfo.InvariantCulture);
            int to = ends.Length > 1 ? int.Parse(ends[1], System.Globalization.CultureInfo.InvariantCulture) : from;
            for (int core = from; core <= to && cores.Count < 2; core++)
            {
                cores.Add(core);
            }
        }
        return [.. cores];
    }
}
