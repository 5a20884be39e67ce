using Meshy.Engine.Pipeline;

namespace Meshy.Engine.Http;

/// <summary>
/// A per-request HTTP filter, shared by HTTP/1.1 and HTTP/2. Compiled once per snapshot (per route rule)
/// and shared by every request on it, so per-request state lives in <see cref="HttpExchange"/>, never in
/// fields. Every phase defaults to <see cref="FilterStatus.Continue"/>.
/// </summary>
public interface IHttpFilter
{
    /// <summary>
    /// The request head is complete (the body may still be arriving). Return
    /// <see cref="FilterStatus.StopAndReply"/> after <see cref="HttpExchange.SendLocalReply"/> to answer
    /// without an upstream.
    /// </summary>
    ValueTask<FilterStatus> OnRequestHeadersAsync(HttpExchange exchange) => new(FilterStatus.Continue);

    /// <summary>The response head is known (from the upstream or a local reply) and not yet sent downstream.</summary>
    ValueTask<FilterStatus> OnResponseHeadersAsync(HttpExchange exchange) => new(FilterStatus.Continue);

    /// <summary>The exchange ended (response sent, or failed); for logs and metrics. Must not block.</summary>
    void OnExchangeCompleted(HttpExchange exchange)
    {
    }
}
