using System.Collections.Immutable;

namespace Meshy.Cli.Commands;

/// <summary>The options of <c>meshy iptables</c>, parsed and checked.</summary>
internal sealed record IptablesOptions
{
    /// <summary><c>--proxy-port</c>: where outbound TCP is redirected (the outbound listener). Default 15001, Istio's.</summary>
    public int ProxyPort { get; init; } = 15001;

    /// <summary><c>--inbound-port</c>: where inbound TCP is redirected; null: inbound is left alone.</summary>
    public int? InboundPort { get; init; }

    /// <summary><c>--proxy-uid</c>: the uid Meshy runs as; its own connections are never redirected.</summary>
    public required int ProxyUid { get; init; }

    /// <summary><c>--exclude-ports</c>: destination ports never redirected, either way (22 keeps SSH working).</summary>
    public ImmutableArray<int> ExcludePorts { get; init; } = [];

    /// <summary><c>--inbound-ports</c>: with <c>--inbound-port</c>, only these ports are redirected; empty: all.</summary>
    public ImmutableArray<int> InboundPorts { get; init; } = [];

    /// <summary><c>--include-cidrs</c>: only outbound traffic to these ranges is redirected; empty: all.</summary>
    public ImmutableArray<string> IncludeCidrs { get; init; } = [];

    /// <summary><c>--exclude-cidrs</c>: outbound traffic to these ranges is never redirected.</summary>
    public ImmutableArray<string> ExcludeCidrs { get; init; } = [];

    /// <summary><c>--ipv6</c>: the same rules with ip6tables.</summary>
    public bool Ipv6 { get; init; }
}
