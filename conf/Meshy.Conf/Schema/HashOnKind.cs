namespace Meshy.Conf.Schema;

/// <summary>What a ring-hash cluster hashes.</summary>
public enum HashOnKind
{
    /// <summary><c>header:NAME</c>: a request header's value.</summary>
    Header,
    /// <summary><c>cookie:NAME</c>: a request cookie's value.</summary>
    Cookie,
    /// <summary><c>source_ip</c>: the downstream peer's IP address.</summary>
    SourceIp,
}
