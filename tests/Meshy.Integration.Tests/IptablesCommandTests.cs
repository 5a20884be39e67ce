using Meshy.Testing;

namespace Meshy.Integration.Tests;

/// <summary><c>meshy iptables apply|clean</c> against a real nat table, in a namespace of the test's own.</summary>
public sealed class IptablesCommandTests
{
    [SidecarRootFact]
    public async Task ApplyTwiceThenClean_InNamespace_LeavesOneSetThenTheTableAsBefore()
    {
        await using SidecarNetwork network = await SidecarNetwork.CreateAsync();
        // A foreign rule and chain that clean must leave alone.
        await network.InClientAsync("iptables", "-t", "nat", "-N", "OTHER");
        await network.InClientAsync("iptables", "-t", "nat", "-A", "OUTPUT", "-p", "udp", "-j", "OTHER");
        string before = await network.NatTableAsync();

        string[] apply = ["iptables", "apply", "--proxy-uid", "0", "--exclude-ports", "22", "--inbound-port", "15006"];
        Assert.Equal(0, (await RunMeshyAsync(network, apply)).ExitCode);
        string once = await network.NatTableAsync();
        Assert.Equal(0, (await RunMeshyAsync(network, apply)).ExitCode);
        string twice = await network.NatTableAsync();

        Assert.Equal(once, twice);
        Assert.Contains("-A OUTPUT -p tcp -j MESHY_OUTPUT", once, StringComparison.Ordinal);
        Assert.Contains("-A MESHY_REDIRECT -p tcp -j REDIRECT --to-ports 15001", once, StringComparison.Ordinal);
        Assert.Contains("-A PREROUTING -p tcp -j MESHY_INBOUND", once, StringComparison.Ordinal);
        Assert.Single(once.Split('\n'), line => line == "-A OUTPUT -p tcp -j MESHY_OUTPUT");

        Assert.Equal(0, (await RunMeshyAsync(network, ["iptables", "clean"])).ExitCode);
        Assert.Equal(before, await network.NatTableAsync());
        Assert.Equal(0, (await RunMeshyAsync(network, ["iptables", "clean"])).ExitCode);
    }

    [Fact]
    public async Task Print_WithProxyUid_PrintsTheCommandsApplyRuns()
    {
        (int exit, string stdout, _) = await MeshyProcess.RunToEndAsync(["iptables", "print", "--proxy-uid", "1234"]);

        Assert.Equal(0, exit);
        Assert.Equal("iptables -t nat -A OUTPUT -p tcp -j MESHY_OUTPUT", stdout.Trim().Split('\n')[^1]);
        Assert.Contains("iptables -t nat -A MESHY_OUTPUT -m owner --uid-owner 1234 -j RETURN", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Print_BadPort_ExitsTwoWithOneLine()
    {
        (int exit, _, string stderr) = await MeshyProcess.RunToEndAsync(["iptables", "print", "--proxy-uid", "1", "--exclude-ports", "99999"]);

        Assert.Equal(2, exit);
        Assert.Equal("meshy iptables: --exclude-ports: '99999' is not a port from 1 to 65535", stderr.Trim());
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunMeshyAsync(SidecarNetwork network, string[] arguments) =>
        SidecarNetwork.RunAsync([.. network.InClient, "dotnet", MeshyProcess.MeshyDll, .. arguments]);
}
