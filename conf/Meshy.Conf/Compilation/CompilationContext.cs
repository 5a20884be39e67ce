using System.Collections.Frozen;
using Meshy.Conf.Schema;
using Meshy.Engine.Upstream;

namespace Meshy.Conf.Compilation;

/// <summary>What a filter factory may look at while a snapshot is compiled: the validated config and the compiled clusters.</summary>
public sealed class CompilationContext
{
    /// <summary>The validated configuration being compiled.</summary>
    public required MeshyConfig Config { get; init; }

    /// <summary>Compiled clusters by name (every reference in a valid config resolves here).</summary>
    public required FrozenDictionary<string, ClusterSnapshot> Clusters { get; init; }
}
