using System.Net.Sockets;
using System.Text;
using Meshy.Testing;

namespace Meshy.Filters.Tests.HttpProxy;

/// <summary>
/// The downstream read timers on real time: the request-header timeout counts from a head's first byte however
/// it trickles in, and the idle timeout covers only the wait between requests, never a request being served
/// (the timer is left running through a request, so a fire then must be ignored).
/// </summary>
public sealed class Http1ProxyTimerTests
{
    [Fact]
    public async Task HeadTrickledInWithGapsUnderTheTimeout_408OnceTheWholeHeadIsLate()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Echo();
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            listenerExtra: "request_header_timeout = \"400ms\""));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());

        // A field every 100 ms for 3 s: each read comes well within 400 ms of the last, the head never ends.
        int sent = 0;
        using var stop = new CancellationTokenSource();
        Task trickle = Task.Run(async () =>
        {
            await Loopback.SendAllAsync(client, "GET / HTTP/1.1\r\nHost: a\r\n"u8.ToArray());
            for (; sent < 30 && !stop.IsCancellationRequested; sent++)
            {
                await Task.Delay(100, stop.Token);
                await Loopback.SendAllAsync(client, Encoding.ASCII.GetBytes($"X-{sent}: v\r\n"));
            }
        });
        string text = Encoding.Latin1.GetString(await Loopback.ReadToEndAsync(client));
        int sentAtAnswer = Volatile.Read(ref sent);
        await stop.CancelAsync();
        await Task.WhenAny(trickle);

        Assert.StartsWith("HTTP/1.1 408 ", text);
        // About 4 fields go out in 400 ms; a timer restarted by every read would have waited for all 30.
        Assert.True(sentAtAnswer < 20, $"408 came after {sentAtAnswer} of 30 fields: the timeout must count from the first byte");
    }

    [Fact]
    public async Task RequestServedLongerThanTheIdleTimeout_Answered_AndTheConnectionStaysForTheNext()
    {
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            if (request.Head.Target == "/slow")
            {
                await Task.Delay(TimeSpan.FromMilliseconds(900), cancellationToken);
            }
            return await FakeHttpUpstream.EchoAsync(request, cancellationToken);
        });
        await using HttpProxyHarness proxy = await HttpProxyHarness.StartAsync(HttpProxyConfigs.Simple(upstream.EndPoint,
            listenerExtra: "idle_timeout = \"300ms\""));
        using Socket client = await Loopback.ConnectAsync(proxy.EndPoint());
        var connection = new HttpTestConnection(client);
        await ExchangeAsync(client, connection, "/warm");

        await Loopback.SendAllAsync(client, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        (HttpTestMessage head, byte[] body) = await connection.ReadResponseAsync();
        Assert.Equal(200, head.Status);
        Assert.Equal("GET /slow len=0", Encoding.ASCII.GetString(body));

        await Loopback.SendAllAsync(client, "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        (head, body) = await connection.ReadResponseAsync();
        Assert.Equal(200, head.Status);
        Assert.Equal("GET /next len=0", Encoding.ASCII.GetString(body));
    }

    private static async Task ExchangeAsync(Socket client, HttpTestConnection connection, string target)
    {
        await Loopback.SendAllAsync(client, Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: a\r\n\r\n"));
        (HttpTestMessage head, byte[] body) = await ReadResponseAsync(connection, target);
        Assert.Equal(200, head.Status);
        Assert.Equal($"GET {target} len=0", Encoding.ASCII.GetString(body));
    }

    private static async Task<(HttpTestMessage Head, byte[] Body)> ReadResponseAsync(HttpTestConnection connection, string which)
    {
        try
        {
            return await connection.ReadResponseAsync();
        }
        catch (EndOfStreamException ex)
        {
            throw new EndOfStreamException($"{which}: {ex.Message}", ex);
        }
    }
}
