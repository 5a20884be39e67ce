using System.Net;
using Meshy.Bench.Load.Proxies;
using Meshy.Bench.Load.Report;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>
/// One kind of load. The runner starts the upstream once per scenario, then for each run starts a
/// proxy, waits for it, calls <see cref="ProbeAsync"/> and <see cref="MeasureAsync"/>, and kills it.
/// A new scenario is one class implementing this plus one line in <see cref="ScenarioCatalog"/>.
/// </summary>
internal interface ILoadScenario
{
    /// <summary><c>--scenario</c> name.</summary>
    string Name { get; }

    /// <summary>A few words for headings.</summary>
    string Title { get; }

    /// <summary>What exactly runs, with the options filled in, for the report.</summary>
    string Describe(LoadOptions options);

    ProxyMode Mode { get; }

    /// <summary>How Meshy's route is generated for this scenario (peers ignore it).</summary>
    MeshyRouting Routing => MeshyRouting.Plain;

    /// <summary>Meshy writes its access log (to a file in the run's directory); peers ignore it. Metrics are always on.</summary>
    bool MeshyAccessLog => false;

    /// <summary>The scenario this one varies, to compare the subject with itself there (see <see cref="ScenarioResult.Reference"/>).</summary>
    string? Reference => null;

    IReadOnlyList<MetricDefinition> Metrics { get; }

    /// <summary>Null when the load tool is installed; otherwise which one is missing and how to install it.</summary>
    string? MissingTool();

    /// <summary>
    /// Starts the upstream on the load core; it serves every run of the scenario. <paramref name="workDirectory"/>
    /// is an empty directory for its files (a document root), deleted with the run's other files.
    /// </summary>
    Task<UpstreamProcess> StartUpstreamAsync(LoadOptions options, string workDirectory, CancellationToken cancellationToken);

    /// <summary>Proves the path works end to end through <paramref name="target"/>; throws with the reason otherwise.</summary>
    Task ProbeAsync(IPEndPoint target, CancellationToken cancellationToken);

    /// <summary>Runs the load (warm-up first) and returns the values of <see cref="Metrics"/>; throws when the run is not valid.</summary>
    /// <remarks>
    /// With <c>--paired</c> the runner calls this for several proxies at once on the same instance: keep no state
    /// per run in the scenario, and put every file a run writes under <see cref="MeasureContext.WorkDirectory"/>
    /// (or name it after it).
    /// </remarks>
    Task<IReadOnlyDictionary<string, double>> MeasureAsync(MeasureContext context, CancellationToken cancellationToken);
}
