using Meshy.Conf.Compilation;
using Meshy.Conf.Schema;
using Meshy.Engine.Http;
using Meshy.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Fault;

/// <summary>
/// Puts a <see cref="FaultFilter"/> on every rule with <c>fault</c> (validated by the config binder: percentages
/// 0–100, delay 0s–1h, status 200–599, grpc_status 0–16).
/// </summary>
internal sealed class FaultFilterFactory(ILoggerFactory loggers, IRandomSource? random = null) : IHttpFilterFactory
{
    private readonly IRandomSource _random = random ?? SharedRandomSource.Instance;
    private readonly ILogger _logger = loggers.CreateLogger<FaultFilter>();

    /// <inheritdoc />
    public string ConfigKey => "fault";

    /// <inheritdoc />
    public IHttpFilter? Create(RouteRuleConfig rule, CompilationContext context) =>
        rule.Fault is { } fault ? new FaultFilter(FaultSettings.From(fault), _random, _logger) : null;
}
