using Meshy.Conf.Compilation;
using Meshy.Conf.Schema;
using Meshy.Engine.Http;

namespace Meshy.Filters.Observability.Tracing;

/// <summary>Puts <see cref="TraceContextFilter"/> on every rule: propagation is not configurable (yet).</summary>
internal sealed class TraceContextFilterFactory : IHttpFilterFactory
{
    /// <summary>No rule key is read; the name only reserves it for tracing settings to come.</summary>
    public string ConfigKey => "tracing";

    /// <inheritdoc />
    public IHttpFilter? Create(RouteRuleConfig rule, CompilationContext context) => TraceContextFilter.Instance;
}
