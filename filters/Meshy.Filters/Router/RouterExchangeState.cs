using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.Pools;
using Meshy.Filters.Http1;

namespace Meshy.Filters.Router;

/// <summary>
/// The router's per-exchange upstream state (the pooled connection lent to the request, the request body
/// pump): kept in <c>HttpExchange.UpstreamState</c> and reused for the connection's next request.
/// </summary>
internal sealed class RouterExchangeState
{
    /// <summary>The match table that selected the rule (set by <c>Match</c>, kept by <see cref="Reset"/>): what a prefix rewrite replaces.</summary>
    public RouteMatch? Matched;
    public Http1PooledConnection? Lease;
    public Http1ClientCodec? Codec;
    public EndpointState? Endpoint;
    public CancellationTokenRegistration AbortRegistration;
    public ValueTask BodyPump;
    public bool Pumping;
    public Exception? BodyFailure;
    public bool BodyFailedDownstream;
    public bool StoppingForRetry;

    public void Reset()
    {
        Lease = null;
        Codec = null;
        Endpoint = null;
        AbortRegistration = default;
        BodyPump = default;
        Pumping = false;
        BodyFailure = null;
        BodyFailedDownstream = false;
        StoppingForRetry = false;
    }
}
