namespace Meshy.Conf.Schema;

/// <summary>The named conditions of <c>retries.on</c> (status codes are kept apart in <see cref="RetriesConfig.StatusCodes"/>).</summary>
[Flags]
public enum RetryOn
{
    /// <summary>No named condition.</summary>
    None = 0,
    /// <summary><c>connect-failure</c>: the upstream connection could not be opened (or timed out).</summary>
    ConnectFailure = 1 << 0,
    /// <summary><c>refused-stream</c>: HTTP/2 REFUSED_STREAM (the upstream never processed the request).</summary>
    RefusedStream = 1 << 1,
    /// <summary><c>reset</c>: the upstream reset or closed the connection before a response head.</summary>
    Reset = 1 << 2,
    /// <summary><c>5xx</c>: any 5xx response (and an expired per-try timeout).</summary>
    Status5xx = 1 << 3,
    /// <summary><c>gateway-error</c>: 502, 503 or 504 (and an expired per-try timeout).</summary>
    GatewayError = 1 << 4,
    /// <summary><c>retriable-4xx</c>: 409.</summary>
    Retriable4xx = 1 << 5,
}
