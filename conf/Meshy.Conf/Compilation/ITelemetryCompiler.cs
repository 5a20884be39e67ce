using Meshy.Engine.Observability;

namespace Meshy.Conf.Compilation;

/// <summary>
/// Compiles a snapshot's <see cref="IProxyTelemetry"/> (metric label children per cluster and version,
/// the access log's field selection and sink) once per snapshot. Optional: without one, snapshots
/// record nothing.
/// </summary>
public interface ITelemetryCompiler
{
    /// <summary>The telemetry of the snapshot being compiled from <paramref name="context"/>.</summary>
    IProxyTelemetry Compile(CompilationContext context);
}
