using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Filters.Router;

namespace Meshy.Filters.Mirror;

/// <summary>
/// A rule's <c>mirror</c> (CONTRACT: mirror): for <c>percent</c> of requests, a fire-and-forget copy to the
/// mirror cluster (<see cref="MirrorRequest"/>; GET, HEAD and OPTIONS copies without a body go in per-turn batches). The primary only pays for a draw, a head copy and, with a
/// body, a copy of each body chunk into the copy's window; it never waits for the copy, and a copy that
/// falls behind, fails or times out changes nothing for it. Compiled once per rule per snapshot; a copy
/// finishes on the settings it started with.
/// </summary>
/// <remarks>
/// Not mirrored: protocol switches (Upgrade, CONNECT), whose bytes after the head are not a request body;
/// requests a filter before this one answered (an injected abort never reaches here).
/// </remarks>
internal sealed class MirrorFilter(MirrorSettings settings, IRandomSource random) : IHttpFilter
{
    public ValueTask<FilterStatus> OnRequestHeadersAsync(HttpExchange exchange)
    {
        HttpRequestHead request = exchange.Request;
        if (request.IsUpgrade || request.IsConnect || !Draw(settings.Percent, random))
        {
            return new(FilterStatus.Continue);
        }
        MirrorClusterState state = settings.State;
        if (!state.TryEnter(settings.MaxInFlight))
        {
            state.Record(MirrorResult.Skipped);
            return new(FilterStatus.Continue);
        }
        RouteMatch match = (exchange.UpstreamState as RouterExchangeState)?.Matched ?? RouteRule.MatchAll;
        if (!request.HasBody && IsSafe(request.Method))
        {
            state.AddToBatch(settings, request, exchange.Route as RouteRule, match);
            return new(FilterStatus.Continue);
        }
        MirrorRequest mirror = state.Rent();
        MirrorTeeBody? tee = mirror.Prepare(settings, request, exchange.RequestBody, exchange.Route as RouteRule, match);
        if (tee is not null)
        {
            exchange.RequestBody = tee;
        }
        mirror.Start();
        return new(FilterStatus.Continue);
    }

    public void OnExchangeCompleted(HttpExchange exchange)
    {
        if (exchange.RequestBody is MirrorTeeBody tee)
        {
            tee.PrimaryCompleted();
        }
    }

    /// <summary>
    /// Methods whose copies may be pipelined in a batch: RFC 9112 (9.3.2) advises against pipelining after a
    /// non-idempotent request, and a copy of one would be lost with its whole batch.
    /// </summary>
    private static bool IsSafe(HttpMethodKind method) =>
        method is HttpMethodKind.Get or HttpMethodKind.Head or HttpMethodKind.Options;

    /// <summary>True for <paramref name="percent"/> % of draws (0–100, decimals allowed).</summary>
    internal static bool Draw(double percent, IRandomSource random) =>
        percent >= 100 || (percent > 0 && random.NextPercent() < percent);
}
