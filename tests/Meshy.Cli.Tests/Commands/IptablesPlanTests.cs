using Meshy.Cli.Commands;

namespace Meshy.Cli.Tests.Commands;

public sealed class IptablesPlanTests
{
    [Fact]
    public void Apply_Defaults_RedirectsOutboundExceptProxyUidAndLoopback()
    {
        var options = new IptablesOptions { ProxyUid = 998 };

        Assert.Equal(
            [
                "iptables -t nat -N MESHY_REDIRECT",
                "iptables -t nat -A MESHY_REDIRECT -p tcp -j REDIRECT --to-ports 15001",
                "iptables -t nat -N MESHY_OUTPUT",
                "iptables -t nat -A MESHY_OUTPUT -m owner --uid-owner 998 -j RETURN",
                "iptables -t nat -A MESHY_OUTPUT -d 127.0.0.0/8 -j RETURN",
                "iptables -t nat -A MESHY_OUTPUT -j MESHY_REDIRECT",
                "iptables -t nat -A OUTPUT -p tcp -j MESHY_OUTPUT",
            ],
            Lines(options));
    }

    [Fact]
    public void Apply_EveryOption_AddsExceptionsBeforeRedirectsAndJumpsLast()
    {
        var options = new IptablesOptions
        {
            ProxyPort = 16001,
            InboundPort = 15006,
            ProxyUid = 0,
            ExcludePorts = [22, 5432],
            InboundPorts = [8080],
            IncludeCidrs = ["10.0.0.0/8"],
            ExcludeCidrs = ["10.1.0.0/16"],
        };

        Assert.Equal(
            [
                "iptables -t nat -N MESHY_REDIRECT",
                "iptables -t nat -A MESHY_REDIRECT -p tcp -j REDIRECT --to-ports 16001",
                "iptables -t nat -N MESHY_OUTPUT",
                "iptables -t nat -A MESHY_OUTPUT -m owner --uid-owner 0 -j RETURN",
                "iptables -t nat -A MESHY_OUTPUT -d 127.0.0.0/8 -j RETURN",
                "iptables -t nat -A MESHY_OUTPUT -p tcp --dport 22 -j RETURN",
                "iptables -t nat -A MESHY_OUTPUT -p tcp --dport 5432 -j RETURN",
                "iptables -t nat -A MESHY_OUTPUT -d 10.1.0.0/16 -j RETURN",
                "iptables -t nat -A MESHY_OUTPUT -d 10.0.0.0/8 -j MESHY_REDIRECT",
                "iptables -t nat -N MESHY_IN_REDIRECT",
                "iptables -t nat -A MESHY_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006",
                "iptables -t nat -N MESHY_INBOUND",
                "iptables -t nat -A MESHY_INBOUND -p tcp --dport 22 -j RETURN",
                "iptables -t nat -A MESHY_INBOUND -p tcp --dport 5432 -j RETURN",
                "iptables -t nat -A MESHY_INBOUND -p tcp --dport 8080 -j MESHY_IN_REDIRECT",
                "iptables -t nat -A OUTPUT -p tcp -j MESHY_OUTPUT",
                "iptables -t nat -A PREROUTING -p tcp -j MESHY_INBOUND",
            ],
            Lines(options));
    }

    [Fact]
    public void Apply_InboundWithoutPortList_RedirectsAllInboundTcp()
    {
        string[] lines = Lines(new IptablesOptions { ProxyUid = 1, InboundPort = 15006 });

        Assert.Contains("iptables -t nat -A MESHY_INBOUND -p tcp -j MESHY_IN_REDIRECT", lines);
        Assert.Equal("iptables -t nat -A PREROUTING -p tcp -j MESHY_INBOUND", lines[^1]);
    }

    [Fact]
    public void Apply_NoInboundPort_TouchesNoInboundChain()
    {
        string[] lines = Lines(new IptablesOptions { ProxyUid = 1, InboundPorts = [80] });

        Assert.DoesNotContain(lines, line => line.Contains("INBOUND", StringComparison.Ordinal) || line.Contains("PREROUTING", StringComparison.Ordinal));
    }

    [Fact]
    public void Apply_Ipv6_UsesIp6tablesAndIpv6Loopback()
    {
        string[] lines = Lines(new IptablesOptions { ProxyUid = 7, Ipv6 = true });

        Assert.All(lines, line => Assert.StartsWith("ip6tables -t nat ", line, StringComparison.Ordinal));
        Assert.Contains("ip6tables -t nat -A MESHY_OUTPUT -d ::1/128 -j RETURN", lines);
    }

    [Fact]
    public void Clean_NatTableWithMeshyAndForeignRules_RemovesOnlyMeshys()
    {
        const string Rules = """
            -P PREROUTING ACCEPT
            -P INPUT ACCEPT
            -P OUTPUT ACCEPT
            -P POSTROUTING ACCEPT
            -N DOCKER
            -N MESHY_OUTPUT
            -N MESHY_REDIRECT
            -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
            -A OUTPUT -p tcp -j MESHY_OUTPUT
            -A OUTPUT -p tcp -j MESHY_OUTPUT
            -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
            -A MESHY_OUTPUT -m owner --uid-owner 0 -j RETURN
            -A MESHY_OUTPUT -j MESHY_REDIRECT
            -A MESHY_REDIRECT -p tcp -j REDIRECT --to-ports 15001
            """;

        Assert.Equal(
            [
                "iptables -t nat -D OUTPUT -p tcp -j MESHY_OUTPUT",
                "iptables -t nat -D OUTPUT -p tcp -j MESHY_OUTPUT",
                "iptables -t nat -F MESHY_OUTPUT",
                "iptables -t nat -F MESHY_REDIRECT",
                "iptables -t nat -X MESHY_OUTPUT",
                "iptables -t nat -X MESHY_REDIRECT",
            ],
            IptablesPlan.Clean(ipv6: false, Rules).Select(c => c.ToString()));
    }

    [Fact]
    public void Clean_NoMeshyRules_DoesNothing()
    {
        Assert.Empty(IptablesPlan.Clean(ipv6: false, "-P PREROUTING ACCEPT\n-N DOCKER\n-A OUTPUT -j DOCKER\n"));
    }

    [Fact]
    public void Parse_BadPortInList_IsUsageError()
    {
        var error = Assert.Throws<IptablesUsageException>(() => IptablesCommand.Parse(15001, null, 0, "22,http", null, null, null, ipv6: false));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Equal("--exclude-ports: 'http' is not a port from 1 to 65535", error.Message);
    }

    [Fact]
    public void Parse_Ipv4CidrWithIpv6_IsUsageError()
    {
        var error = Assert.Throws<IptablesUsageException>(() => IptablesCommand.Parse(15001, null, 0, null, null, "10.0.0.0/8", null, ipv6: true));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
    }

    [Fact]
    public void Parse_ListsWithSpaces_AreTrimmed()
    {
        IptablesOptions options = IptablesCommand.Parse(15001, 15006, 5, "22, 80", "8080", null, "10.1.0.0/16, 192.168.0.0/24", ipv6: false);

        Assert.Equal([22, 80], options.ExcludePorts.ToArray());
        Assert.Equal([8080], options.InboundPorts.ToArray());
        Assert.Equal(["10.1.0.0/16", "192.168.0.0/24"], options.ExcludeCidrs.ToArray());
        Assert.Equal(5, options.ProxyUid);
    }

    [Fact]
    public void Parse_InboundPortsWithoutInboundPort_IsUsageError()
    {
        var error = Assert.Throws<IptablesUsageException>(() => IptablesCommand.Parse(15001, null, 0, null, "8080", null, null, ipv6: false));

        Assert.Equal("--inbound-ports needs --inbound-port", error.Message);
    }

    private static string[] Lines(IptablesOptions options) => [.. IptablesPlan.Apply(options).Select(c => c.ToString())];
}
