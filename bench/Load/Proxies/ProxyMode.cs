namespace Meshy.Bench.Load.Proxies;

/// <summary>What the proxy under test must speak on its listening port and to the upstream.</summary>
internal enum ProxyMode
{
    /// <summary>L4: bytes both ways.</summary>
    Tcp,

    /// <summary>HTTP/1.1 keep-alive downstream and to the upstream.</summary>
    Http1,

    /// <summary>HTTP/2 with prior knowledge over cleartext (h2c) downstream, HTTP/1.1 keep-alive to the upstream.</summary>
    Http2Cleartext,

    /// <summary>h2c downstream and h2c (prior knowledge) to the upstream too: <c>h2c-upstream</c>.</summary>
    Http2CleartextBothWays,
}
