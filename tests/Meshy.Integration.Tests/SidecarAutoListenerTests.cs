using System.Net;
using System.Net.Sockets;
using System.Text;
using Meshy.Testing;

namespace Meshy.Integration.Tests;

/// <summary>
/// <c>protocol = "auto"</c> in the real binary, on loopback and without root: an auto listener with a
/// cluster (no original destination), so the sniffing decision is visible without iptables.
/// </summary>
public sealed class SidecarAutoListenerTests
{
    [Fact]
    public async Task AutoListener_HttpTlsAndSilentClients_AreRoutedOrPassedThrough()
    {
        // The TCP side: greets first (server-speaks-first), then echoes.
        await using FakeUpstream upstream = FakeUpstream.Start(async (socket, cancellationToken) =>
        {
            await Loopback.SendAllAsync(socket, "220 hello\r\n"u8.ToArray(), cancellationToken);
            await FakeUpstream.EchoAsync(socket, cancellationToken);
        });
        // A loaded CI machine can stall a client past the 100ms default before its first byte.
        using var config = new TempConfig(AutoConfig(upstream.EndPoint, "routed", """protocol_detection_timeout = "1s" """));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "auto");
        var listener = await meshy.ListenerEndPointAsync("auto");

        // HTTP/1.1, split across two writes: served by the route table.
        using (Socket http = await Loopback.ConnectAsync(listener))
        {
            await Loopback.SendAllAsync(http, "GE"u8.ToArray());
            await Loopback.SendAllAsync(http, "T / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"u8.ToArray());
            string response = Encoding.ASCII.GetString(await Loopback.ReadToEndAsync(http));
            Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
            Assert.EndsWith("routed", response, StringComparison.Ordinal);
        }
        Assert.Equal(0, upstream.Accepted);

        // A TLS-looking client: passed through to the cluster, bytes untouched.
        using (Socket tls = await Loopback.ConnectAsync(listener))
        {
            await Loopback.SendAllAsync(tls, "\x16\x03\x01hi"u8.ToArray());
            Assert.Equal("220 hello\r\n\x16\x03\x01hi", Encoding.Latin1.GetString(await Loopback.ReadExactlyAsync(tls, 16)));
        }

        // A client that waits for the server's greeting: passed through once the sniff wait is over.
        using (Socket silent = await Loopback.ConnectAsync(listener))
        {
            Assert.Equal("220 hello\r\n", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(silent, 11)));
            await Loopback.SendAllAsync(silent, "EHLO me\r\n"u8.ToArray());
            Assert.Equal("EHLO me\r\n", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(silent, 9)));
        }
        Assert.Equal(2, upstream.Accepted);
    }

    [Fact]
    public async Task AutoListener_Reload_KeepAliveConnectionServesTheNewRoutes()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        using var config = new TempConfig(AutoConfig(upstream.EndPoint, "before"));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "auto");
        using var admin = new AdminClient(await meshy.AdminEndPointAsync());
        using Socket http = await Loopback.ConnectAsync(await meshy.ListenerEndPointAsync("auto"));
        Assert.EndsWith("before", await ExchangeAsync(http), StringComparison.Ordinal);

        File.WriteAllText(config.Path, AutoConfig(upstream.EndPoint, "after"));
        (HttpStatusCode status, _) = await admin.PostAsync("reload");
        Assert.Equal(HttpStatusCode.OK, status);

        // The same keep-alive connection: its next request is routed on the new snapshot, as on an http listener.
        Assert.EndsWith("after", await ExchangeAsync(http), StringComparison.Ordinal);
    }

    /// <summary>An auto listener whose route answers <paramref name="body"/> itself, and a TCP cluster at <paramref name="upstream"/>.</summary>
    private static string AutoConfig(EndPoint upstream, string body, string listenerExtra = "") => $$"""
        [admin]
        address = "127.0.0.1:0"

        [[listeners]]
        name = "auto"
        address = "127.0.0.1:0"
        protocol = "auto"
        routes = "web"
        cluster = "bytes"
        {{listenerExtra}}

        [[routes]]
        name = "web"
        hosts = ["*"]
          [[routes.rules]]
          name = "fixed"
          respond = { status = 200, body = "{{body}}" }

        [[clusters]]
        name = "bytes"
        endpoints = [{ address = "{{upstream}}" }]
        """;

    /// <summary>One keep-alive GET and its whole response (the fixed bodies carry a Content-Length).</summary>
    private static async Task<string> ExchangeAsync(Socket socket)
    {
        await Loopback.SendAllAsync(socket, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        var response = new StringBuilder();
        byte[] buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            Assert.NotEqual(0, read);
            response.Append(Encoding.ASCII.GetString(buffer, 0, read));
            string text = response.ToString();
            int headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headEnd >= 0 && System.Text.RegularExpressions.Regex.Match(text, "(?i)content-length: *([0-9]+)") is { Success: true } length
                && text.Length - headEnd - 4 >= int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            {
                return text;
            }
        }
    }
}
