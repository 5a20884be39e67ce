using System.Net;
using System.Net.Sockets;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Testing;

namespace Meshy.Engine.Tests.Transport;

public sealed class OriginalDestinationTests
{
    [Fact]
    public void TryParse_SockaddrIn_ReadsAddressAndNetworkOrderPort()
    {
        // AF_INET = 2 (host order, little-endian here), port 8080 = 0x1F90 big-endian, 10.0.0.5, 8 zero bytes.
        byte[] sockaddr = [2, 0, 0x1F, 0x90, 10, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0];
        if (!BitConverter.IsLittleEndian)
        {
            (sockaddr[0], sockaddr[1]) = (sockaddr[1], sockaddr[0]);
        }

        Assert.True(OriginalDestination.TryParse(sockaddr, out IPEndPoint destination));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.5"), 8080), destination);
    }

    [Fact]
    public void TryParse_SockaddrIn6_ReadsAddressPortAndScope()
    {
        byte[] sockaddr = new byte[28];
        sockaddr[0] = 10;   // AF_INET6, little-endian
        sockaddr[2] = 0x01; // port 443 = 0x01BB
        sockaddr[3] = 0xBB;
        IPAddress.Parse("fd00::7").GetAddressBytes().CopyTo(sockaddr, 8);
        Assert.True(BitConverter.IsLittleEndian, "the test lays out host-order fields little-endian");

        Assert.True(OriginalDestination.TryParse(sockaddr, out IPEndPoint destination));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("fd00::7"), 443), destination);
    }

    [Fact]
    public void TryParse_UnknownFamilyOrShort_ReturnsFalse()
    {
        Assert.False(OriginalDestination.TryParse([1, 0, 0, 80, 1, 2, 3, 4], out _));
        Assert.False(OriginalDestination.TryParse([2, 0, 0], out _));
        Assert.False(OriginalDestination.TryParse([10, 0, 0, 80, 0, 0, 0, 0], out _));
    }

    [Theory]
    [InlineData("127.0.0.1:15001", "127.0.0.1:15001", "127.0.0.1:15001", true)]   // dialled directly
    [InlineData("10.0.0.9:15001", "10.0.0.9:15001", "0.0.0.0:15001", true)]       // wildcard listener, its own address
    [InlineData("127.0.0.1:15001", "10.0.0.9:15001", "0.0.0.0:15001", true)]      // loopback on a wildcard listener's port
    [InlineData("10.0.0.5:8080", "127.0.0.1:15001", "127.0.0.1:15001", false)]    // a real REDIRECT
    [InlineData("10.0.0.9:8080", "10.0.0.9:15001", "0.0.0.0:15001", false)]       // same host, another port
    [InlineData("127.0.0.1:15001", "127.0.0.1:15001", "[::]:15001", true)]        // dual-mode wildcard
    public void IsSelf_DestinationAgainstListener_DetectsLoops(string destination, string local, string listener, bool self)
    {
        Assert.Equal(self, OriginalDestination.IsSelf(IPEndPoint.Parse(destination), IPEndPoint.Parse(local), IPEndPoint.Parse(listener)));
    }

    [Fact]
    public void IsSelf_MappedIPv4Local_MatchesPlainIPv4Destination()
    {
        var local = new IPEndPoint(IPAddress.Parse("127.0.0.1").MapToIPv6(), 15001);
        Assert.True(OriginalDestination.IsSelf(IPEndPoint.Parse("127.0.0.1:15001"), local, IPEndPoint.Parse("[::]:15001")));
    }

    [Fact]
    public async Task TryGet_LoopbackConnectionWithoutRedirect_FindsNoOtherDestination()
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        server.Listen();
        using Socket client = await Loopback.ConnectAsync((IPEndPoint)server.LocalEndPoint!);
        using Socket accepted = await server.AcceptAsync();

        // Without conntrack there is no answer; with it, the "original" destination is the socket itself.
        if (OriginalDestination.TryGet(accepted, out IPEndPoint destination))
        {
            Assert.Equal(accepted.LocalEndPoint, destination);
        }
        Assert.True(OriginalDestination.IsSupported == OperatingSystem.IsLinux());
    }

    [Fact]
    public async Task Listener_OriginalDestinationWithoutRedirect_ClosesConnectionBeforeFilters()
    {
        var filter = new EchoFilter();
        ListenerSnapshot listener = new()
        {
            Name = "outbound",
            EndPoint = TestSnapshots.AnyLoopbackPort,
            Protocol = ListenerProtocol.Tcp,
            OriginalDestination = true,
            NetworkFilters = [filter],
        };
        await using ListenerHarness harness = await ListenerHarness.StartAsync(TestSnapshots.Snapshot([listener]));

        using Socket client = await Loopback.ConnectAsync(harness.EndPoint("outbound"));

        // Without the refusal the echo filter would keep the connection open, waiting for bytes.
        Assert.True(await Loopback.WaitForCloseAsync(client));
        Assert.Equal(0, filter.Started);
    }

    [Fact]
    public async Task Listener_WithoutOriginalDestination_RunsFiltersWithNoOriginalDestination()
    {
        var filter = new EchoFilter();
        await using ListenerHarness harness = await ListenerHarness.StartAsync(
            TestSnapshots.Snapshot([TestSnapshots.Listener("tcp", TestSnapshots.AnyLoopbackPort, filter)]));

        using Socket client = await Loopback.ConnectAsync(harness.EndPoint());
        await Loopback.SendAllAsync(client, "ping"u8.ToArray());

        Assert.Equal("ping"u8.ToArray(), await Loopback.ReadExactlyAsync(client, 4));
        Assert.Equal(1, filter.Started);
    }
}
