namespace Meshy.Filters.Http1;

/// <summary>Sends <c>100 Continue</c> to a client that asked for it, once, before its body is read.</summary>
internal interface IHttp1ContinueSender
{
    /// <summary>Sends the interim response.</summary>
    ValueTask SendContinueAsync(CancellationToken cancellationToken);
}
