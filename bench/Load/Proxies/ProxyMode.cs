namespace Meshy.Bench.Load.Proxies;

/// <summary>What the proxy under test must speak on its listening port (upstreams always get TCP or HTTP/1.1).</summary>
internal enum ProxyMode
{
    /// <summary>L4: bytes both ways.</summary>
    Tcp,

    /// <summary>HTTP/1.1 keep-alive downstream.</summary>
    Http1,

    /// <summary>HTTP/2 with prior knowledge over cleartext (h2c) downstream.</summary>
    Http2Cleartext,
}
