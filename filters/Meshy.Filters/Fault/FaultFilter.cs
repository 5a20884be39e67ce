using System.Runtime.CompilerServices;
using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Tasks;
using Meshy.Filters.Router;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Fault;

/// <summary>
/// A rule's <c>fault</c> (CONTRACT: fault): holds a share of requests for <c>delay.fixed</c> (flag <c>DI</c>),
/// then answers a share locally with <c>abort.status</c> (flag <c>FI</c>) so they never reach the upstream.
/// The two draws are independent, delay first. Compiled once per rule per snapshot and shared by its requests.
/// </summary>
/// <remarks>
/// The delay runs on the exchange's clock and under its abort token: the rule's <c>timeout</c> (started at
/// routing) ending it answers 504 <c>UT</c>; the client leaving ends the request with <c>DC</c> and nothing is
/// sent upstream. A request that is not delayed goes through synchronously, without allocating.
/// </remarks>
internal sealed partial class FaultFilter(FaultSettings settings, IRandomSource random, ILogger logger) : IHttpFilter
{
    /// <summary>The compiled settings.</summary>
    public FaultSettings Settings => settings;

    /// <inheritdoc />
    public ValueTask<FilterStatus> OnRequestHeadersAsync(HttpExchange exchange)
    {
        if (Draws(settings.DelayPercent))
        {
            return DelayAsync(exchange);
        }
        return new(AbortOrContinue(exchange));
    }

    /// <summary>True for <paramref name="percent"/> % of the draws; no draw when the fault is off.</summary>
    private bool Draws(double percent) => percent > 0 && random.NextPercent() < percent;

    private FilterStatus AbortOrContinue(HttpExchange exchange)
    {
        if (!Draws(settings.AbortPercent))
        {
            return FilterStatus.Continue;
        }
        LogAborted(exchange.Connection.Id, settings.AbortStatus);
        AttributeToDestination(exchange);
        exchange.SendLocalReply(settings.AbortStatus, HttpLocalReplies.FaultAbort, ResponseFlags.FaultInjected, settings.AbortGrpcStatus);
        return FilterStatus.StopAndReply;
    }

    private static void AttributeToDestination(HttpExchange exchange) =>
        (exchange.Route as RouteRule)?.AttributeTo(exchange, exchange.Time.GetUtcNow().UtcTicks);

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<FilterStatus> DelayAsync(HttpExchange exchange)
    {
        exchange.ResponseFlags |= ResponseFlags.DelayInjected;
        LogDelayed(exchange.Connection.Id, settings.Delay);
        try
        {
            // At least the delay: the runtime's timers count coarse milliseconds and may fire a little
            // early by the precise clock (199.3 ms for 200 ms was seen), so the rest is waited for.
            long start = exchange.Time.GetTimestamp();
            for (TimeSpan left = settings.Delay; left > TimeSpan.Zero; left = settings.Delay - exchange.Time.GetElapsedTime(start))
            {
                await Task.Delay(left, exchange.Time, exchange.Aborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The same answers as the router's for an aborted request.
            if (exchange.AbortReason == HttpAbortReason.Timeout)
            {
                AttributeToDestination(exchange);
                exchange.SendLocalReply(504, HttpLocalReplies.Timeout, ResponseFlags.UpstreamRequestTimeout);
                return FilterStatus.StopAndReply;
            }
            exchange.ResponseFlags |= ResponseFlags.DownstreamConnectionTermination;
            return FilterStatus.Stop;
        }
        return AbortOrContinue(exchange);
    }

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.FaultDelayInjected, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: fault injection delays the request by {Delay}")]
    private partial void LogDelayed(long connectionId, TimeSpan delay);

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.FaultAbortInjected, Level = LogLevel.Debug,
        Message = "connection {ConnectionId}: fault injection aborts the request with {Status}")]
    private partial void LogAborted(long connectionId, int status);
}
