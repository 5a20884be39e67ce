using System.Globalization;
using Meshy.Bench.Load.Probes;

namespace Meshy.Cli.Tests.Bench;

[Collection(PinnedCoresCollection.Name)]
public sealed class CoreToCoreTests
{
    [Fact]
    public void RoundTripNanoseconds_TwoCoresOfThisProcess_IsAFigureNotAFailure()
    {
        int[] cores = AllowedCores();
        Assert.True(cores.Length >= 2, $"this test needs two cores in the process's set, found {cores.Length}");

        double? roundTrip = CoreToCore.RoundTripNanoseconds(cores[0], cores[1]);

        // Not a timing bound: a hand-over between two cores takes at least a nanosecond, and since all 105,000 round
        // trips took under 2 s or the probe would have said null, the median of 21 batches is below 2 s / (11 × 5,000).
        Assert.NotNull(roundTrip);
        Assert.InRange(roundTrip.Value, 1, 2e9 / (11 * 5_000));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RoundTripNanoseconds_OneCoreOutsideThisProcessesSet_IsNull(bool askerOutside)
    {
        int[] allowed = AllowedCores();
        int outside = Enumerable.Range(0, 64).First(core => !allowed.Contains(core));
        int inside = allowed[0];

        double? roundTrip = askerOutside ? CoreToCore.RoundTripNanoseconds(outside, inside) : CoreToCore.RoundTripNanoseconds(inside, outside);

        // Whichever side could not pin itself, no figure: one thread alone would time its own cache.
        Assert.Null(roundTrip);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-1, 0)]
    [InlineData(0, 64)]
    public void RoundTripNanoseconds_SameCoreOrOutOfRange_IsNull(int first, int second) =>
        Assert.Null(CoreToCore.RoundTripNanoseconds(first, second));

    /// <summary>The cores this process may run on (a test runner may be pinned), from /proc/self/status.</summary>
    private static int[] AllowedCores()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        var cores = new List<int>();
        foreach (string range in line["Cpus_allowed_list:".Length..].Trim().Split(','))
        {
            string[] ends = range.Split('-');
            int from = int.Parse(ends[0], CultureInfo.InvariantCulture);
            int to = ends.Length > 1 ? int.Parse(ends[1], CultureInfo.InvariantCulture) : from;
            for (int core = from; core <= to; core++)
            {
                cores.Add(core);
            }
        }
        return [.. cores];
    }
}

/// <summary>
/// Tests that pin threads or processes to both cores run alone, after the parallel ones: a probe's spinning
/// threads and a load run's niceness −10 processes would slow each other past the probe's limit.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PinnedCoresCollection
{
    public const string Name = "pinned cores";
}
