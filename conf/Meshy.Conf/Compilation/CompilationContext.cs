using System.Collections.Concurrent;
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

    private readonly ConcurrentDictionary<string, object> _shared = new(StringComparer.Ordinal);

    /// <summary>
    /// Something compiled once per snapshot and shared by every listener that needs it (the router's
    /// compiled route tables): created by <paramref name="create"/> on first request for <paramref name="key"/>.
    /// </summary>
    public T GetOrAddShared<T>(string key, Func<CompilationContext, T> create)
        where T : class =>
        (T)_shared.GetOrAdd(key, static (_, state) => state.create(state.context), (create, context: this));
}
