using Meshy.Bench.Load.Probes;

namespace Meshy.Cli.Tests.Bench;

/// <summary>The bench's reading of Meshy's gen0 collections from its Prometheus text.</summary>
public sealed class GcCollectionsTests
{
    [Fact]
    public void ReadGen0_TakesTheGenerationZeroSeries()
    {
        const string metrics = """
            # HELP dotnet_collection_count_total GC collection count
            # TYPE dotnet_collection_count_total counter
            dotnet_collection_count_total{generation="1"} 2
            dotnet_collection_count_total{generation="0"} 17
            dotnet_collection_count_total{generation="2"} 1
            process_cpu_seconds_total 7.72
            """;

        Assert.Equal(17, GcCollections.ReadGen0(metrics.ReplaceLineEndings("\n")));
    }

    [Fact]
    public void ReadGen0_WithoutTheSeries_IsNull()
    {
        Assert.Null(GcCollections.ReadGen0("process_cpu_seconds_total 7.72\n"));
    }
}
