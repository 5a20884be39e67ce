using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Net;

namespace Meshy.Cli.Commands;

/// <summary>
/// <c>meshy iptables print|apply|clean [options]</c>: the transparent-proxy rules of a sidecar on a VM
/// (<see cref="IptablesPlan"/>). <c>print</c> shows the exact commands <c>apply</c> runs; <c>apply</c> first
/// removes any previous Meshy rules, so running it twice leaves one set; <c>clean</c> removes only Meshy's
/// chains and the jumps to them. Exit 0 ok, 1 failed (not root, no iptables, no user <c>meshy</c>, a
/// command failed), 2 usage.
/// </summary>
internal static class IptablesCommand
{
    /// <summary>The user whose uid <c>--proxy-uid</c> defaults to (the systemd unit of conf/sidecar.md runs as it).</summary>
    public const string DefaultProxyUser = "meshy";

    public static Command Create()
    {
        var proxyPort = new Option<int>("--proxy-port") { Description = "where outbound TCP is redirected (the outbound listener)", DefaultValueFactory = _ => 15001, Recursive = true };
        var inboundPort = new Option<int?>("--inbound-port") { Description = "redirect inbound TCP to this port too (default: inbound untouched)", Recursive = true };
        var proxyUid = new Option<int?>("--proxy-uid") { Description = $"uid Meshy runs as; its connections are never redirected (default: uid of user '{DefaultProxyUser}')", Recursive = true };
        var excludePorts = new Option<string?>("--exclude-ports") { Description = "destination ports never redirected, comma-separated (e.g. 22)", Recursive = true };
        var inboundPorts = new Option<string?>("--inbound-ports") { Description = "with --inbound-port: only these ports, comma-separated (default: all)", Recursive = true };
        var includeCidrs = new Option<string?>("--include-cidrs") { Description = "redirect outbound only to these ranges, comma-separated (default: all)", Recursive = true };
        var excludeCidrs = new Option<string?>("--exclude-cidrs") { Description = "never redirect outbound to these ranges, comma-separated", Recursive = true };
        var ipv6 = new Option<bool>("--ipv6") { Description = "the same rules for IPv6, with ip6tables", Recursive = true };

        var command = new Command("iptables", "Print, apply or remove the iptables rules that send this host's TCP through Meshy.")
        {
            proxyPort, inboundPort, proxyUid, excludePorts, inboundPorts, includeCidrs, excludeCidrs, ipv6,
        };
        foreach ((string name, string description) in new[]
        {
            ("print", "Print the commands apply would run, one per line."),
            ("apply", "Install the rules (replacing earlier Meshy rules). Needs root."),
            ("clean", "Remove Meshy's chains and the jumps to them, nothing else. Needs root."),
        })
        {
            var sub = new Command(name, description);
            sub.SetAction(parsed => Run(
                name,
                () => Parse(
                    parsed.GetValue(proxyPort),
                    parsed.GetValue(inboundPort),
                    parsed.GetValue(proxyUid),
                    parsed.GetValue(excludePorts),
                    parsed.GetValue(inboundPorts),
                    parsed.GetValue(includeCidrs),
                    parsed.GetValue(excludeCidrs),
                    parsed.GetValue(ipv6)),
                parsed.GetValue(ipv6)));
            command.Subcommands.Add(sub);
        }
        return command;
    }

    private static int Run(string action, Func<IptablesOptions> parse, bool ipv6)
    {
        try
        {
            return action switch
            {
                "print" => Print(parse()),
                "apply" => Apply(parse()),
                _ => Clean(ipv6),
            };
        }
        catch (IptablesUsageException ex)
        {
            Console.Error.WriteLine($"meshy iptables: {ex.Message}");
            return ex.ExitCode;
        }
    }

    private static int Print(IptablesOptions options)
    {
        foreach (IptablesInvocation invocation in IptablesPlan.Apply(options))
        {
            Console.WriteLine(invocation.ToString());
        }
        return ExitCodes.Ok;
    }

    private static int Apply(IptablesOptions options)
    {
        string binary = RequireIptables(options.Ipv6);
        // Replace, never add: what an earlier apply left (perhaps with other options) goes first.
        int cleaned = Clean(options.Ipv6, binary);
        if (cleaned != ExitCodes.Ok)
        {
            return cleaned;
        }
        foreach (IptablesInvocation invocation in IptablesPlan.Apply(options))
        {
            if (!Execute(binary, invocation))
            {
                // Half-applied rules could redirect without the exceptions: take them all out again.
                Clean(options.Ipv6, binary);
                return ExitCodes.Failed;
            }
        }
        Console.WriteLine($"meshy iptables: applied {IptablesPlan.Apply(options).Length} rules ({IptablesPlan.Binary(options.Ipv6)}, nat table)");
        return ExitCodes.Ok;
    }

    private static int Clean(bool ipv6) => Clean(ipv6, RequireIptables(ipv6));

    private static int Clean(bool ipv6, string binary)
    {
        (int exit, string rules, string error) = IptablesSystem.Run(binary, ["-t", "nat", "-S"]);
        if (exit != 0)
        {
            Console.Error.WriteLine($"meshy iptables: {IptablesPlan.Binary(ipv6)} -t nat -S failed (exit {exit}): {error.Trim()}");
            return ExitCodes.Failed;
        }
        foreach (IptablesInvocation invocation in IptablesPlan.Clean(ipv6, rules))
        {
            if (!Execute(binary, invocation))
            {
                return ExitCodes.Failed;
            }
        }
        return ExitCodes.Ok;
    }

    private static bool Execute(string binary, IptablesInvocation invocation)
    {
        (int exit, _, string error) = IptablesSystem.Run(binary, invocation.Arguments);
        if (exit == 0)
        {
            return true;
        }
        Console.Error.WriteLine($"meshy iptables: `{invocation}` failed (exit {exit}): {error.Trim()}");
        return false;
    }

    private static string RequireIptables(bool ipv6)
    {
        string name = IptablesPlan.Binary(ipv6);
        if (!IptablesSystem.IsRoot)
        {
            throw new IptablesUsageException($"must run as root: {name} changes the nat table (try sudo meshy iptables ...)", ExitCodes.Failed);
        }
        return IptablesSystem.FindOnPath(name)
            ?? throw new IptablesUsageException($"{name} not found on PATH: install it (Debian/Ubuntu: apt-get install iptables)", ExitCodes.Failed);
    }

    /// <summary>Checks and converts the raw options; usage errors exit 2, a missing default user exits 1.</summary>
    internal static IptablesOptions Parse(
        int proxyPort,
        int? inboundPort,
        int? proxyUid,
        string? excludePorts,
        string? inboundPorts,
        string? includeCidrs,
        string? excludeCidrs,
        bool ipv6)
    {
        CheckPort("--proxy-port", proxyPort);
        if (inboundPort is { } inbound)
        {
            CheckPort("--inbound-port", inbound);
        }
        if (inboundPorts is not null && inboundPort is null)
        {
            throw new IptablesUsageException("--inbound-ports needs --inbound-port", ExitCodes.Usage);
        }
        if (proxyUid is < 0)
        {
            throw new IptablesUsageException($"--proxy-uid must be 0 or more (got {proxyUid})", ExitCodes.Usage);
        }
        int uid = proxyUid
            ?? IptablesSystem.LookUpUid(DefaultProxyUser)
            ?? throw new IptablesUsageException(
                $"no user '{DefaultProxyUser}' on this host: create it (useradd --system --no-create-home {DefaultProxyUser}) or give --proxy-uid UID, the uid Meshy runs as",
                ExitCodes.Failed);
        return new IptablesOptions
        {
            ProxyPort = proxyPort,
            InboundPort = inboundPort,
            ProxyUid = uid,
            ExcludePorts = Ports("--exclude-ports", excludePorts),
            InboundPorts = Ports("--inbound-ports", inboundPorts),
            IncludeCidrs = Cidrs("--include-cidrs", includeCidrs, ipv6),
            ExcludeCidrs = Cidrs("--exclude-cidrs", excludeCidrs, ipv6),
            Ipv6 = ipv6,
        };
    }

    private static void CheckPort(string option, int port)
    {
        if (port is < 1 or > 65535)
        {
            throw new IptablesUsageException($"{option} must be a port from 1 to 65535 (got {port})", ExitCodes.Usage);
        }
    }

    private static ImmutableArray<string> Split(string? list) =>
        list is null ? [] : [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static ImmutableArray<int> Ports(string option, string? list)
    {
        var ports = ImmutableArray.CreateBuilder<int>();
        foreach (string item in Split(list))
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            {
                throw new IptablesUsageException($"{option}: '{item}' is not a port from 1 to 65535", ExitCodes.Usage);
            }
            ports.Add(port);
        }
        return ports.ToImmutable();
    }

    private static ImmutableArray<string> Cidrs(string option, string? list, bool ipv6)
    {
        var cidrs = ImmutableArray.CreateBuilder<string>();
        foreach (string item in Split(list))
        {
            if (!IPNetwork.TryParse(item, out IPNetwork network))
            {
                throw new IptablesUsageException($"{option}: '{item}' is not a CIDR range (e.g. 10.0.0.0/8)", ExitCodes.Usage);
            }
            if ((network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) != ipv6)
            {
                throw new IptablesUsageException($"{option}: '{item}' is {(ipv6 ? "IPv4, but --ipv6 rules take IPv6 ranges" : "IPv6: give --ipv6 for IPv6 rules")}", ExitCodes.Usage);
            }
            cidrs.Add(network.ToString());
        }
        return cidrs.ToImmutable();
    }
}
