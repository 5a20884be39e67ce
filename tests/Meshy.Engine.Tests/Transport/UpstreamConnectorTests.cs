using System.Net;
using System.Net.Sockets;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Testing;

namespace Meshy.Engine.Tests.Transport;

public sealed class UpstreamConnectorTests
{
    private readonly UpstreamConnector _connector = new(PipeOptionsFactory.Default);

    [Fact]
    public async Task ConnectAsync_Listening_ConnectsAndCountsConnection()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        EndpointSnapshot endpoint = TestSnapshots.Endpoint("c", upstream.EndPoint);

        UpstreamConnectResult result = await _connector.ConnectAsync(endpoint, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(ConnectFailure.None, result.Failure);
        Assert.True(result.Connection.Socket.NoDelay);
        Assert.Equal(1, endpoint.State.ActiveConnections);
        result.Connection.Dispose();
        result.Connection.Dispose();
        Assert.Equal(0, endpoint.State.ActiveConnections);
    }

    [Fact]
    public async Task ConnectAsync_Connected_PipesCarryBytesBothWays()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        EndpointSnapshot endpoint = TestSnapshots.Endpoint("c", upstream.EndPoint);

        UpstreamConnectResult result = await _connector.ConnectAsync(endpoint, TimeSpan.FromSeconds(5), CancellationToken.None);
        using UpstreamConnection connection = result.Connection!;
        await connection.Sender.SendAsync("ping"u8.ToArray(), CancellationToken.None);
        connection.Transport.Output.Complete();

        var received = new List<byte>();
        while (true)
        {
            System.IO.Pipelines.ReadResult read = await connection.Transport.Input.ReadAsync().AsTask().WaitAsync(Loopback.DefaultTimeout);
            foreach (ReadOnlyMemory<byte> segment in read.Buffer)
            {
                received.AddRange(segment.ToArray());
            }
            connection.Transport.Input.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }
        Assert.Equal("ping"u8.ToArray(), received.ToArray());
        Assert.Equal(4, connection.Sender.BytesSent);
    }

    [Fact]
    public async Task ConnectAsync_NothingListening_ReportsRefused()
    {
        using Socket refusing = Loopback.BindRefusing();
        EndpointSnapshot endpoint = TestSnapshots.Endpoint("c", refusing.LocalEndPoint!);

        UpstreamConnectResult result = await _connector.ConnectAsync(endpoint, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(ConnectFailure.Refused, result.Failure);
        Assert.Equal(SocketError.ConnectionRefused, result.SocketError);
        Assert.Equal(0, endpoint.State.ActiveConnections);
    }

    [Fact]
    public async Task ConnectAsync_Blackholed_ReportsTimeout()
    {
        (Socket listener, IReadOnlyList<Socket> fillers) = await Loopback.BlackholeAsync();
        try
        {
            EndpointSnapshot endpoint = TestSnapshots.Endpoint("c", listener.LocalEndPoint!);

            UpstreamConnectResult result = await _connector
                .ConnectAsync(endpoint, TimeSpan.FromMilliseconds(100), CancellationToken.None)
                .AsTask().WaitAsync(Loopback.DefaultTimeout);

            Assert.Equal(ConnectFailure.Timeout, result.Failure);
            Assert.Equal(0, endpoint.State.ActiveConnections);

            // The pooled operation is reusable after a timeout.
            await using FakeUpstream upstream = FakeUpstream.Echo();
            UpstreamConnectResult next = await _connector.ConnectAsync(
                TestSnapshots.Endpoint("c", upstream.EndPoint), TimeSpan.FromSeconds(5), CancellationToken.None);
            Assert.True(next.Succeeded);
            next.Connection.Dispose();
        }
        finally
        {
            listener.Dispose();
            foreach (Socket filler in fillers)
            {
                filler.Dispose();
            }
        }
    }

    [Fact]
    public async Task ConnectAsync_CallerCancels_ReportsCanceled()
    {
        (Socket listener, IReadOnlyList<Socket> fillers) = await Loopback.BlackholeAsync();
        try
        {
            EndpointSnapshot endpoint = TestSnapshots.Endpoint("c", listener.LocalEndPoint!);
            using var cancel = new CancellationTokenSource();

            ValueTask<UpstreamConnectResult> connecting = _connector.ConnectAsync(endpoint, Timeout.InfiniteTimeSpan, cancel.Token);
            await cancel.CancelAsync();
            UpstreamConnectResult result = await connecting.AsTask().WaitAsync(Loopback.DefaultTimeout);

            Assert.Equal(ConnectFailure.Canceled, result.Failure);
        }
        finally
        {
            listener.Dispose();
            foreach (Socket filler in fillers)
            {
                filler.Dispose();
            }
        }
    }

    [Fact]
    public async Task ConnectAsync_AlreadyCanceled_ReportsCanceledWithoutConnecting()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();

        UpstreamConnectResult result = await _connector.ConnectAsync(
            TestSnapshots.Endpoint("c", upstream.EndPoint), TimeSpan.FromSeconds(5), new CancellationToken(canceled: true));

        Assert.Equal(ConnectFailure.Canceled, result.Failure);
        Assert.Equal(0, upstream.Accepted);
    }

    [Fact]
    public async Task ConnectAsync_DnsEndPoint_ResolvesAndConnects()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        EndpointSnapshot endpoint = TestSnapshots.Endpoint("c", new DnsEndPoint("localhost", upstream.EndPoint.Port));

        UpstreamConnectResult result = await _connector.ConnectAsync(endpoint, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.True(result.Succeeded, $"{result.Failure} {result.SocketError}");
        result.Connection.Dispose();
    }
}
