using System.Collections.Immutable;

namespace Meshy.Cli.Commands;

/// <summary>
/// The rules of <c>meshy iptables</c> as pure functions of the options (and, to clean, of what the nat
/// table holds), so that <c>print</c>, <c>apply</c> and the tests see exactly the same commands.
/// </summary>
/// <remarks>
/// The layout follows Istio's istio-iptables (tools/istio-iptables): own chains in the nat table, one
/// jump from each built-in chain into them, so that cleaning up is "remove the jumps, drop the chains".
/// <code>
///   OUTPUT ──-p tcp──▶ MESHY_OUTPUT ── uid = proxy ──────────▶ RETURN   (Meshy's own connections: no loop)
///                                   ── -d 127.0.0.0/8 / ::1 ─▶ RETURN   (loopback is never redirected)
///                                   ── excluded port / cidr ─▶ RETURN
///                                   ── (included cidrs) ─────▶ MESHY_REDIRECT ── REDIRECT --to-ports PROXY
///   PREROUTING ──-p tcp──▶ MESHY_INBOUND ── excluded port ───▶ RETURN                    (only with --inbound-port)
///                                      ── (inbound ports) ──▶ MESHY_IN_REDIRECT ── REDIRECT --to-ports INBOUND
/// </code>
/// </remarks>
internal static class IptablesPlan
{
    /// <summary>Every chain Meshy may create; cleaning removes exactly these.</summary>
    public static readonly ImmutableArray<string> Chains = ["MESHY_OUTPUT", "MESHY_INBOUND", "MESHY_REDIRECT", "MESHY_IN_REDIRECT"];

    /// <summary>The binary for the address family.</summary>
    public static string Binary(bool ipv6) => ipv6 ? "ip6tables" : "iptables";

    /// <summary>The commands that install the rules into a nat table free of Meshy's chains.</summary>
    public static ImmutableArray<IptablesInvocation> Apply(IptablesOptions options)
    {
        var commands = ImmutableArray.CreateBuilder<IptablesInvocation>();
        string binary = Binary(options.Ipv6);
        void Add(params string[] arguments) => commands.Add(new IptablesInvocation(binary, ["-t", "nat", .. arguments]));
        string port = options.ProxyPort.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // Outbound.
        Add("-N", "MESHY_REDIRECT");
        Add("-A", "MESHY_REDIRECT", "-p", "tcp", "-j", "REDIRECT", "--to-ports", port);
        Add("-N", "MESHY_OUTPUT");
        Add("-A", "MESHY_OUTPUT", "-m", "owner", "--uid-owner", Invariant(options.ProxyUid), "-j", "RETURN");
        Add("-A", "MESHY_OUTPUT", "-d", options.Ipv6 ? "::1/128" : "127.0.0.0/8", "-j", "RETURN");
        foreach (int excluded in options.ExcludePorts)
        {
            Add("-A", "MESHY_OUTPUT", "-p", "tcp", "--dport", Invariant(excluded), "-j", "RETURN");
        }
        foreach (string cidr in options.ExcludeCidrs)
        {
            Add("-A", "MESHY_OUTPUT", "-d", cidr, "-j", "RETURN");
        }
        if (options.IncludeCidrs.IsEmpty)
        {
            Add("-A", "MESHY_OUTPUT", "-j", "MESHY_REDIRECT");
        }
        foreach (string cidr in options.IncludeCidrs)
        {
            Add("-A", "MESHY_OUTPUT", "-d", cidr, "-j", "MESHY_REDIRECT");
        }

        // Inbound, only when asked for.
        if (options.InboundPort is { } inbound)
        {
            Add("-N", "MESHY_IN_REDIRECT");
            Add("-A", "MESHY_IN_REDIRECT", "-p", "tcp", "-j", "REDIRECT", "--to-ports", Invariant(inbound));
            Add("-N", "MESHY_INBOUND");
            foreach (int excluded in options.ExcludePorts)
            {
                Add("-A", "MESHY_INBOUND", "-p", "tcp", "--dport", Invariant(excluded), "-j", "RETURN");
            }
            if (options.InboundPorts.IsEmpty)
            {
                Add("-A", "MESHY_INBOUND", "-p", "tcp", "-j", "MESHY_IN_REDIRECT");
            }
            foreach (int included in options.InboundPorts)
            {
                Add("-A", "MESHY_INBOUND", "-p", "tcp", "--dport", Invariant(included), "-j", "MESHY_IN_REDIRECT");
            }
        }

        // The jumps last: traffic is redirected only once every exception is in place.
        Add("-A", "OUTPUT", "-p", "tcp", "-j", "MESHY_OUTPUT");
        if (options.InboundPort is not null)
        {
            Add("-A", "PREROUTING", "-p", "tcp", "-j", "MESHY_INBOUND");
        }
        return commands.ToImmutable();
    }

    /// <summary>
    /// The commands that remove Meshy's jumps and chains from a nat table whose rules are
    /// <paramref name="natRules"/> (the output of <c>iptables -t nat -S</c>). Nothing else is touched;
    /// an empty list means there is nothing of Meshy's to remove.
    /// </summary>
    public static ImmutableArray<IptablesInvocation> Clean(bool ipv6, string natRules)
    {
        var commands = ImmutableArray.CreateBuilder<IptablesInvocation>();
        string binary = Binary(ipv6);
        var present = new List<string>();
        foreach (string raw in natRules.Split('\n'))
        {
            string line = raw.Trim();
            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 2 && words[0] == "-N" && Chains.Contains(words[1]))
            {
                present.Add(words[1]);
            }
            else if (words.Length > 2 && words[0] == "-A" && !Chains.Contains(words[1]) && JumpsToMeshy(words))
            {
                // A jump from a chain that is not Meshy's (OUTPUT, PREROUTING, or one a user added): delete
                // exactly that rule, as iptables -S printed it.
                commands.Add(new IptablesInvocation(binary, ["-t", "nat", "-D", .. words[1..]]));
            }
        }
        // Flush every chain before deleting any: Meshy's chains jump to each other.
        foreach (string chain in present)
        {
            commands.Add(new IptablesInvocation(binary, ["-t", "nat", "-F", chain]));
        }
        foreach (string chain in present)
        {
            commands.Add(new IptablesInvocation(binary, ["-t", "nat", "-X", chain]));
        }
        return commands.ToImmutable();
    }

    private static bool JumpsToMeshy(string[] words)
    {
        for (int i = 0; i < words.Length - 1; i++)
        {
            if (words[i] is "-j" or "-g" && Chains.Contains(words[i + 1]))
            {
                return true;
            }
        }
        return false;
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
