namespace Meshy.Filters.Http1;

/// <summary>The four forms of a request-target (RFC 9112 §3.2).</summary>
internal enum Http1TargetForm : byte
{
    /// <summary><c>/path?query</c>: the usual form (§3.2.1).</summary>
    Origin,

    /// <summary><c>http://host:port/path?query</c>: sent to proxies (§3.2.2).</summary>
    Absolute,

    /// <summary><c>host:port</c>: CONNECT only (§3.2.3).</summary>
    Authority,

    /// <summary><c>*</c>: server-wide OPTIONS only (§3.2.4).</summary>
    Asterisk,
}
