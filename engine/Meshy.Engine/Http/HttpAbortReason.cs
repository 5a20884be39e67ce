namespace Meshy.Engine.Http;

/// <summary>Why an exchange's <see cref="HttpExchange.Aborted"/> token was cancelled.</summary>
public enum HttpAbortReason
{
    /// <summary>Not aborted.</summary>
    None,
    /// <summary>The route's timeout passed before the response ended (<c>UT</c>).</summary>
    Timeout,
    /// <summary>The client went away (<c>DC</c>).</summary>
    DownstreamDisconnect,
    /// <summary>The connection is being cut (drain timeout, process exit).</summary>
    Closing,
}
