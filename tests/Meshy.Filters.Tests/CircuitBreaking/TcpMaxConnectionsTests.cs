using System.Net.Sockets;
using System.Text;
using Meshy.Engine.Upstream.CircuitBreaking;
using Meshy.Filters.Tests.HttpProxy;
using Meshy.Testing;

namespace Meshy.Filters.Tests.CircuitBreaking;

/// <summary><c>limits.max_connections</c> on a <c>protocol = "tcp"</c> listener: sessions past it are closed at once with <c>UO</c>.</summary>
public sealed class TcpMaxConnectionsTests
{
    [Fact]
    public async Task TcpProxy_MaxConnectionsReached_NextSessionClosedWithoutUpstreamConnectAndCounted()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync($$"""
            [[listeners]]
            name = "tcp"
            address = "127.0.0.1:0"
            protocol = "tcp"
            cluster = "backend"

            [[clusters]]
            name = "backend"
            endpoints = [{{HttpProxyConfigs.Endpoints(upstream.EndPoint)}}]
            limits = { max_connections = 1 }
            """);
        ClusterCircuitBreaker breaker = proxy.Breakers.Get("backend");
        using Socket first = await Loopback.ConnectAsync(proxy.EndPoint("tcp"));
        await AssertEchoesAsync(first, "one");

        using (Socket refused = await Loopback.ConnectAsync(proxy.EndPoint("tcp")))
        {
            Assert.True(await Loopback.WaitForCloseAsync(refused));
        }

        Assert.Equal(1, upstream.Accepted);
        Assert.Equal(1, breaker.Overflows(CircuitBreakerLimit.MaxConnections));
        await Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Any(l => l.Contains("(limits.max_connections, UO)", StringComparison.Ordinal)),
            "the refused session is logged");

        // The first session's end frees its slot for the next one.
        first.Shutdown(SocketShutdown.Send);
        Assert.True(await Loopback.WaitForCloseAsync(first));
        await Loopback.WaitUntilAsync(() => proxy.Pools.GetBudget("backend").Connections == 0, "the slot is released");
        using Socket next = await Loopback.ConnectAsync(proxy.EndPoint("tcp"));
        await AssertEchoesAsync(next, "two");
        Assert.Equal(1, breaker.Overflows(CircuitBreakerLimit.MaxConnections));
    }

    private static async Task AssertEchoesAsync(Socket client, string text)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        await Loopback.SendAllAsync(client, bytes);
        Assert.Equal(bytes, await Loopback.ReadExactlyAsync(client, bytes.Length));
    }
}
