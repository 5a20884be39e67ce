using System.Collections.Immutable;

namespace Meshy.Cli.Commands;

/// <summary>One iptables (or ip6tables) command line of <c>meshy iptables</c>.</summary>
/// <param name="Binary"><c>iptables</c> or <c>ip6tables</c>.</param>
/// <param name="Arguments">Everything after the binary, starting with <c>-t nat</c>.</param>
internal sealed record IptablesInvocation(string Binary, ImmutableArray<string> Arguments)
{
    /// <summary>The command as a shell would take it (no argument needs quoting).</summary>
    public override string ToString() => $"{Binary} {string.Join(' ', Arguments)}";
}
