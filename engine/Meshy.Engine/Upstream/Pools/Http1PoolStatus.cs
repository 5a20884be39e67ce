namespace Meshy.Engine.Upstream.Pools;

/// <summary>The outcome of <see cref="Http1ConnectionPool.AcquireAsync"/>.</summary>
public enum Http1PoolStatus
{
    /// <summary>An idle connection was reused.</summary>
    Reused,
    /// <summary>A new connection was opened.</summary>
    Connected,
    /// <summary>The connect failed (<c>UF</c>); see the result's failure.</summary>
    ConnectFailed,
    /// <summary>No connection could be had and the pending queue is full (<c>UO</c>).</summary>
    Overflow,
    /// <summary>The caller's token was cancelled while connecting or waiting.</summary>
    Canceled,
}
