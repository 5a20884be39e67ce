using Meshy.Conf.Schema;
using Meshy.Engine.Http;

namespace Meshy.Conf.Compilation;

/// <summary>
/// Builds one HTTP filter of a route rule from the rule's config (fault, mirror, header edits ...).
/// Registered once in <c>FilterRegistration</c>; called once per rule per snapshot. Filters run in
/// registration order; the router's forwarding runs after all of them.
/// </summary>
public interface IHttpFilterFactory
{
    /// <summary>The rule key this factory owns (<c>fault</c>, <c>mirror</c> ...); two factories may not claim one key.</summary>
    string ConfigKey { get; }

    /// <summary>The compiled filter for <paramref name="rule"/>, or null when the rule does not use this key.</summary>
    IHttpFilter? Create(RouteRuleConfig rule, CompilationContext context);
}
