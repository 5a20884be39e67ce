namespace Meshy.Engine.Http;

/// <summary>
/// The route rule an exchange matched, as the engine sees it: names for logs, the rule's filter chain
/// and its timeout. The router's compiled rule implements it; filters may cast to learn more.
/// </summary>
public interface IHttpRoute
{
    /// <summary>The route table's <c>name</c>.</summary>
    string TableName { get; }

    /// <summary>The rule's <c>name</c>, or <c>rules[N]</c>.</summary>
    string RuleName { get; }

    /// <summary>The rule's filters (fault, mirror, header edits ... as they are added).</summary>
    HttpFilterChain Filters { get; }

    /// <summary><c>timeout</c>: the whole upstream exchange; null for the default.</summary>
    TimeSpan? Timeout { get; }
}
