using System.Collections.Immutable;

namespace Meshy.Conf.Schema;

/// <summary>
/// <c>retries = { attempts, per_try_timeout, on, non_idempotent }</c>. Retries use full-jitter backoff
/// from 25 ms capped at 250 ms and are bounded per cluster by <c>limits.max_retries</c>.
/// </summary>
public sealed record RetriesConfig
{
    /// <summary>Default of <see cref="Attempts"/>: 2 (Istio's).</summary>
    public const int DefaultAttempts = 2;

    /// <summary><c>attempts</c>: retries after the first try (Istio's meaning). Default 2, range 0–10.</summary>
    public int Attempts { get; init; } = DefaultAttempts;

    /// <summary><c>per_try_timeout</c>: limit for each try; expiring counts as <c>5xx</c> and <c>gateway-error</c>. Default none.</summary>
    public TimeSpan? PerTryTimeout { get; init; }

    /// <summary>
    /// The named conditions of <c>on</c>. Default (no <c>on</c> key): connect-failure and refused-stream,
    /// plus status 503 in <see cref="StatusCodes"/>.
    /// </summary>
    public RetryOn On { get; init; } = RetryOn.ConnectFailure | RetryOn.RefusedStream;

    /// <summary>Status codes listed in <c>on</c> as strings (<c>"503"</c>), 400–599. Default <c>[503]</c>.</summary>
    public ImmutableArray<int> StatusCodes { get; init; } = [503];

    /// <summary>
    /// <c>non_idempotent</c>: also retry POST, PATCH and other non-idempotent methods after the request may
    /// have reached the upstream. Default <c>false</c> (a retried payment must be a choice).
    /// </summary>
    public bool NonIdempotent { get; init; }
}
