using Meshy.Engine.Http;
using Meshy.Engine.Upstream;

namespace Meshy.Filters.Router;

/// <summary>
/// Upstream health as the router sees it: each try's outcome goes to the cluster's outlier detector
/// (CONTRACT: outlier_detection), and a rule none of whose destinations has an available endpoint is routed
/// in panic mode across all of them rather than failing every request.
/// </summary>
internal sealed partial class RouterFilter
{
    /// <summary>
    /// A destination with an available endpoint; else, in panic mode (Envoy's), one with any endpoint, health
    /// ignored for the rest of the request. Null only when no destination has an endpoint at all.
    /// </summary>
    private RouteDestination? PickDestination(WeightedPicker destinations, RouterExchangeState state)
    {
        long now = _time.GetUtcNow().UtcTicks;
        RouteDestination? destination = destinations.Pick(now);
        if (destination is not null)
        {
            destination.Cluster.Health?.LeavePanic();
            return destination;
        }
        destination = destinations.Pick(now, panic: true);
        if (destination is not null)
        {
            state.Panic = true;
            destination.Cluster.Health?.EnterPanic();
        }
        return destination;
    }

    /// <summary>A connect failure: a gateway failure of <paramref name="endpoint"/>.</summary>
    private static void ReportGatewayFailure(RouteDestination destination, EndpointSnapshot endpoint) =>
        destination.Cluster.OutlierDetector?.ReportGatewayFailure(endpoint.State);

    /// <summary>
    /// A try that ended without a response head: a gateway failure of the endpoint (reset, close, malformed
    /// head, per-try or route timeout), unless the client went away, which says nothing about the upstream.
    /// </summary>
    private static void ReportTryFailure(HttpExchange exchange, RouteDestination destination, EndpointSnapshot endpoint, bool perTryExpired)
    {
        if (destination.Cluster.OutlierDetector is not { } detector)
        {
            return;
        }
        if (perTryExpired || exchange.AbortReason == HttpAbortReason.Timeout)
        {
            detector.ReportGatewayFailure(endpoint.State);
            return;
        }
        RouterExchangeState? state = exchange.UpstreamState as RouterExchangeState;
        bool clientFailed = exchange.AbortReason != HttpAbortReason.None
            || (state is { BodyFailedDownstream: true } && state.BodyFailure is not (null or OperationCanceledException));
        if (!clientFailed)
        {
            detector.ReportGatewayFailure(endpoint.State);
        }
    }
}
