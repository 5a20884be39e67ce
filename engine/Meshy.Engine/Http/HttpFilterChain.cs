using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Tasks;

namespace Meshy.Engine.Http;

/// <summary>
/// Runs a route rule's <see cref="IHttpFilter"/>s in order for one exchange. The terminal step (the
/// router's forwarding) is not a filter: it runs after the request phase returns
/// <see cref="FilterStatus.Continue"/>. Chain control lives only here.
/// </summary>
public sealed class HttpFilterChain(ImmutableArray<IHttpFilter> filters)
{
    /// <summary>A chain with no filter.</summary>
    public static HttpFilterChain Empty { get; } = new([]);

    /// <summary>The filters, in order.</summary>
    public ImmutableArray<IHttpFilter> Filters { get; } = filters;

    /// <summary>Runs the request-head phase until a filter stops; <see cref="FilterStatus.Continue"/> when all continued.</summary>
    public ValueTask<FilterStatus> OnRequestHeadersAsync(HttpExchange exchange)
    {
        ImmutableArray<IHttpFilter> filters = Filters;
        for (int i = 0; i < filters.Length; i++)
        {
            ValueTask<FilterStatus> pending = filters[i].OnRequestHeadersAsync(exchange);
            if (!pending.IsCompletedSuccessfully)
            {
                return AwaitRequestAsync(pending, exchange, i);
            }
            if (pending.Result != FilterStatus.Continue)
            {
                return pending;
            }
        }
        return new(FilterStatus.Continue);
    }

    /// <summary>Runs the response-head phase until a filter stops.</summary>
    public ValueTask<FilterStatus> OnResponseHeadersAsync(HttpExchange exchange)
    {
        ImmutableArray<IHttpFilter> filters = Filters;
        for (int i = 0; i < filters.Length; i++)
        {
            ValueTask<FilterStatus> pending = filters[i].OnResponseHeadersAsync(exchange);
            if (!pending.IsCompletedSuccessfully)
            {
                return AwaitResponseAsync(pending, exchange, i);
            }
            if (pending.Result != FilterStatus.Continue)
            {
                return pending;
            }
        }
        return new(FilterStatus.Continue);
    }

    /// <summary>Tells every filter the exchange ended.</summary>
    public void OnExchangeCompleted(HttpExchange exchange)
    {
        foreach (IHttpFilter filter in Filters)
        {
            filter.OnExchangeCompleted(exchange);
        }
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<FilterStatus> AwaitRequestAsync(ValueTask<FilterStatus> pending, HttpExchange exchange, int index)
    {
        FilterStatus status = await pending.ConfigureAwait(false);
        for (int i = index + 1; status == FilterStatus.Continue && i < Filters.Length; i++)
        {
            status = await Filters[i].OnRequestHeadersAsync(exchange).ConfigureAwait(false);
        }
        return status;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<FilterStatus> AwaitResponseAsync(ValueTask<FilterStatus> pending, HttpExchange exchange, int index)
    {
        FilterStatus status = await pending.ConfigureAwait(false);
        for (int i = index + 1; status == FilterStatus.Continue && i < Filters.Length; i++)
        {
            status = await Filters[i].OnResponseHeadersAsync(exchange).ConfigureAwait(false);
        }
        return status;
    }
}
