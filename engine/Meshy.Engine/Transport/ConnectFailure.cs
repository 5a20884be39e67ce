namespace Meshy.Engine.Transport;

/// <summary>Why an upstream connect did not produce a connection.</summary>
public enum ConnectFailure
{
    /// <summary>Connected.</summary>
    None,
    /// <summary>The endpoint answered with a reset: nothing listens there (ECONNREFUSED).</summary>
    Refused,
    /// <summary><c>connect_timeout</c> passed before the handshake completed.</summary>
    Timeout,
    /// <summary>Any other failure: unreachable network or host, name resolution, local resources.</summary>
    Failed,
    /// <summary>The caller's token was cancelled (the downstream is closing).</summary>
    Canceled,
}
