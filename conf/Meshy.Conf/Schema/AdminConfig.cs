using System.Net;

namespace Meshy.Conf.Schema;

/// <summary><c>[admin]</c>: where the admin endpoint (<c>/ready</c>, <c>/metrics</c>, <c>/config</c>, <c>/clusters</c>, <c>/reload</c>) listens.</summary>
public sealed record AdminConfig
{
    /// <summary>The defaults: 127.0.0.1:15000.</summary>
    public static AdminConfig Default { get; } = new();

    /// <summary>
    /// <c>address</c>: an IP literal or <c>localhost</c> with a port (0 picks a free port).
    /// Default <c>127.0.0.1:15000</c>. Must differ from every listener's address.
    /// </summary>
    public ConfigAddress Address { get; init; } = ConfigAddress.FromIPEndPoint(new IPEndPoint(IPAddress.Loopback, 15000));
}
