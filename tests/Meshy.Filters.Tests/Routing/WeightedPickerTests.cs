using Meshy.Filters.Router;

namespace Meshy.Filters.Tests.Routing;

/// <summary>Weighted <c>to</c>: the split follows the weights exactly over each cycle, and skips destinations without endpoints.</summary>
public sealed class WeightedPickerTests
{
    private static WeightedPicker Picker(string to) => RoutingFixture.Compile($$"""
        [[routes]]
        name = "web"
          [[routes.rules]]
          to = {{to}}
        """)["web"].Rules[0].Destinations!;

    private static int[] Count(WeightedPicker picker, int picks)
    {
        var counts = new int[picker.Destinations.Count];
        for (int i = 0; i < picks; i++)
        {
            RouteDestination picked = picker.Pick(1)!;
            for (int d = 0; d < counts.Length; d++)
            {
                if (ReferenceEquals(picker.Destinations[d], picked))
                {
                    counts[d]++;
                }
            }
        }
        return counts;
    }

    [Theory]
    [InlineData("""[{ cluster = "backend", weight = 99 }, { cluster = "backend", weight = 1 }]""", 10_000, new[] { 9900, 100 })]
    [InlineData("""[{ cluster = "backend", weight = 50 }, { cluster = "backend", weight = 50 }]""", 1000, new[] { 500, 500 })]
    [InlineData("""[{ cluster = "backend", weight = 5 }, { cluster = "backend", weight = 3 }, { cluster = "backend", weight = 2 }]""", 3000, new[] { 1500, 900, 600 })]
    [InlineData("""[{ cluster = "backend", weight = 0 }, { cluster = "backend" }]""", 100, new[] { 0, 100 })]
    public void Pick_WholeCycles_SplitIsExact(string to, int picks, int[] expected) =>
        Assert.Equal(expected, Count(Picker(to), picks));

    [Fact]
    public void Pick_DestinationWithoutHealthyEndpoint_ShareGoesToOthers()
    {
        WeightedPicker picker = RoutingFixture.Compile("""
            [[routes]]
            name = "web"
              [[routes.rules]]
              to = [{ cluster = "backend", weight = 1 }, { cluster = "other", weight = 3 }]

            [[clusters]]
            name = "other"
            endpoints = [{ address = "127.0.0.1:10" }]
            """)["web"].Rules[0].Destinations!;
        Assert.Equal([25, 75], Count(picker, 100));

        picker.Destinations[1].Endpoints[0].State.Healthy = false;
        Assert.Equal([100, 0], Count(picker, 100));

        picker.Destinations[0].Endpoints[0].State.Healthy = false;
        Assert.Null(picker.Pick(1));
    }
}
