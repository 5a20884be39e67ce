using System.Collections.Immutable;

namespace Meshy.Conf.Schema;

/// <summary>
/// <c>[[routes.rules]]</c>: when a request matches, what happens to it. Exactly one action:
/// <see cref="To"/> (proxy), <see cref="Redirect"/> or <see cref="Respond"/>.
/// </summary>
public sealed record RouteRuleConfig
{
    /// <summary><c>name</c>: shows in access logs and <c>meshy route</c>; unique within its table. Optional (logs use <c>rules[N]</c>).</summary>
    public string? Name { get; init; }

    /// <summary>
    /// <c>match</c>: a table (its conditions must all hold) or an array of tables (any one must hold).
    /// Empty, or no <c>match</c> key: every request matches.
    /// </summary>
    public ImmutableArray<RouteMatchConfig> Match { get; init; } = [];

    /// <summary><c>to</c>: weighted destinations; the split follows the weights. Empty when the action is a redirect or respond.</summary>
    public ImmutableArray<DestinationConfig> To { get; init; } = [];

    /// <summary><c>redirect</c>: answer with a redirect instead of proxying.</summary>
    public RedirectConfig? Redirect { get; init; }

    /// <summary><c>respond</c>: answer directly with a fixed response.</summary>
    public RespondConfig? Respond { get; init; }

    /// <summary><c>timeout</c>: the whole request, retries included. Default none; range above 0 up to 24h.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary><c>retries</c>: retry policy; none when absent. Only with <c>to</c>.</summary>
    public RetriesConfig? Retries { get; init; }

    /// <summary><c>fault</c>: delay and/or abort injection; none when absent.</summary>
    public FaultConfig? Fault { get; init; }

    /// <summary><c>mirror</c>: shadow traffic to another cluster; none when absent. Only with <c>to</c>.</summary>
    public MirrorConfig? Mirror { get; init; }

    /// <summary><c>headers</c>: request and response header edits.</summary>
    public HeadersConfig Headers { get; init; } = HeadersConfig.None;

    /// <summary><c>rewrite</c>: path prefix and/or Host rewrite before proxying; none when absent. Only with <c>to</c>.</summary>
    public RewriteConfig? Rewrite { get; init; }
}
