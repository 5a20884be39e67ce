using Meshy.Engine.Http;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.CircuitBreaking;

namespace Meshy.Filters.Router;

/// <summary>
/// The router's per-exchange upstream state (the pooled connection lent to the request, the request body
/// pump): kept in <c>HttpExchange.UpstreamState</c> and reused for the connection's next request.
/// </summary>
internal sealed class RouterExchangeState
{
    /// <summary>The match table that selected the rule (set by <c>Match</c>, kept by <see cref="Reset"/>): what a prefix rewrite replaces.</summary>
    public RouteMatch? Matched;
    /// <summary>The try in progress: an HTTP/1.1 connection's codec or an HTTP/2 stream; null between tries.</summary>
    public UpstreamStream? Upstream;
    public EndpointState? Endpoint;
    public CancellationTokenRegistration AbortRegistration;
    public ValueTask BodyPump;
    public bool Pumping;
    public Exception? BodyFailure;
    public bool BodyFailedDownstream;
    public bool StoppingForRetry;

    /// <summary>What the body pump reads: the client's body, or <see cref="Replay"/> wrapping it when the request may be retried.</summary>
    public IHttpBodySource? Body;

    /// <summary>The replay copy of the request body (allocated once per connection, armed per retryable request).</summary>
    public ReplayableRequestBody? Replay;

    /// <summary>True while <see cref="Replay"/> is armed for the current request.</summary>
    public bool Replaying;

    /// <summary>The cluster whose <c>max_retries</c> slot this request holds; null when it holds none.</summary>
    public ClusterCircuitBreaker? RetrySlot;

    /// <summary>
    /// The cluster whose <c>max_requests</c> slot this request holds, from routing until its upstream side
    /// ends; null when it holds none. Not cleared by <see cref="Reset"/>: only its release may clear it.
    /// </summary>
    public ClusterCircuitBreaker? RequestSlot;

    /// <summary>The per-try timer (created once per connection, on the first request with a per-try timeout).</summary>
    public ITimer? PerTryTimer;

    /// <summary>The clock the per-try deadline is read on.</summary>
    public TimeProvider? PerTryClock;

    /// <summary>The try the armed per-try timer abandons.</summary>
    public UpstreamStream? PerTryConnection;

    /// <summary>When the armed try expires, in <see cref="TimeProvider.GetTimestamp"/> units: an older timer callback firing late is ignored.</summary>
    public long PerTryDeadline;

    /// <summary>0 armed, 1 fired, 2 disarmed.</summary>
    public int PerTryState = 2;

    /// <summary>True when the request is routed in panic mode (no endpoint of the rule was available): every pick ignores health.</summary>
    public bool Panic;

    public void Reset()
    {
        Upstream = null;
        Endpoint = null;
        AbortRegistration = default;
        BodyPump = default;
        Pumping = false;
        BodyFailure = null;
        BodyFailedDownstream = false;
        StoppingForRetry = false;
        Body = null;
        if (Replaying)
        {
            Replaying = false;
            Replay!.Return();
        }
        RetrySlot = null;
        PerTryConnection = null;
        PerTryState = 2;
        Panic = false;
    }
}
