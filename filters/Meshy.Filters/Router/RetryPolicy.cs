using System.Collections.Immutable;
using Meshy.Conf.Schema;
using Meshy.Engine.Http;

namespace Meshy.Filters.Router;

/// <summary>
/// A rule's compiled <c>retries</c>: how many retries, on which outcomes, for which methods, and the
/// per-try limit. Shared by every request on the snapshot; the per-request count lives in the forward loop.
/// </summary>
internal sealed class RetryPolicy
{
    /// <summary>
    /// The largest request body kept for replay (64 KiB). A body that turns out larger is still forwarded
    /// as it streams, but its request is no longer retried (except before it reached an upstream).
    /// </summary>
    public const int ReplayBufferSize = 64 * 1024;

    /// <summary>First backoff ceiling: a retry waits a uniformly random time in [0, min(cap, base·2^n)].</summary>
    public static readonly TimeSpan BackoffBase = TimeSpan.FromMilliseconds(25);

    /// <summary>The ceiling of every backoff.</summary>
    public static readonly TimeSpan BackoffCap = TimeSpan.FromMilliseconds(250);

    private readonly ImmutableArray<int> _statusCodes;

    public RetryPolicy(RetriesConfig config)
    {
        Attempts = config.Attempts;
        PerTryTimeout = config.PerTryTimeout;
        On = config.On;
        NonIdempotent = config.NonIdempotent;
        _statusCodes = config.StatusCodes;
    }

    /// <summary><c>attempts</c>: retries after the first try.</summary>
    public int Attempts { get; }

    /// <summary><c>per_try_timeout</c>: how long one try may wait for its response head; null for no limit.</summary>
    public TimeSpan? PerTryTimeout { get; }

    /// <summary>The named conditions of <c>on</c>.</summary>
    public RetryOn On { get; }

    /// <summary><c>non_idempotent</c>: retry any method after the request may have reached the upstream.</summary>
    public bool NonIdempotent { get; }

    /// <summary>True when a response with <paramref name="status"/> is retried (5xx, gateway-error, retriable-4xx, listed codes).</summary>
    public bool RetriesStatus(int status)
    {
        if ((On & RetryOn.Status5xx) != 0 && status is >= 500 and <= 599)
        {
            return true;
        }
        if ((On & RetryOn.GatewayError) != 0 && status is 502 or 503 or 504)
        {
            return true;
        }
        if ((On & RetryOn.Retriable4xx) != 0 && status == 409)
        {
            return true;
        }
        foreach (int code in _statusCodes)
        {
            if (code == status)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>True when an expired per-try timeout is retried: it counts as <c>5xx</c> and <c>gateway-error</c>.</summary>
    public bool RetriesPerTryTimeout => (On & (RetryOn.Status5xx | RetryOn.GatewayError)) != 0;

    /// <summary>True when a reset or a close before the response head is retried.</summary>
    public bool RetriesReset => (On & RetryOn.Reset) != 0;

    /// <summary>True when a failed connect is retried.</summary>
    public bool RetriesConnectFailure => (On & RetryOn.ConnectFailure) != 0;

    /// <summary>True when <c>on</c> retries a request the upstream refused unprocessed (HTTP/2 REFUSED_STREAM, GOAWAY).</summary>
    public bool RetriesRefusedStream => (On & RetryOn.RefusedStream) != 0;

    /// <summary>
    /// True when a request with <paramref name="method"/> may be retried after it may have reached the
    /// upstream: idempotent methods (RFC 9110 §9.2.2) always, others only with <c>non_idempotent</c>.
    /// </summary>
    public bool AllowsResend(HttpMethodKind method) => NonIdempotent || IsIdempotent(method);

    /// <summary>GET, HEAD, OPTIONS, PUT, DELETE, TRACE.</summary>
    public static bool IsIdempotent(HttpMethodKind method) => method is HttpMethodKind.Get or HttpMethodKind.Head
        or HttpMethodKind.Options or HttpMethodKind.Put or HttpMethodKind.Delete or HttpMethodKind.Trace;

    /// <summary>
    /// The full-jitter backoff before retry number <paramref name="retry"/> (0 for the first retry): uniform
    /// in [0, min(250 ms, 25 ms·2^retry)], from <paramref name="unit"/> in [0, 1).
    /// </summary>
    public static TimeSpan Backoff(int retry, double unit)
    {
        long ceiling = BackoffBase.Ticks << Math.Min(retry, 8);
        ceiling = Math.Min(ceiling, BackoffCap.Ticks);
        return TimeSpan.FromTicks((long)(ceiling * unit));
    }
}
