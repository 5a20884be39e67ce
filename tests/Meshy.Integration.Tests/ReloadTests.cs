using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Meshy.Testing;

namespace Meshy.Integration.Tests;

/// <summary>Hot reload of a running meshy: file change, SIGHUP and POST /reload.</summary>
public sealed class ReloadTests
{
    private const int SigHup = 1;

    [Fact]
    public async Task Reload_BadFile_LogsFileLineColKeepsServingAndCountsFailure()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        using var config = new TempConfig(Configs.TcpProxy(upstream.EndPoint));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "tcp");
        using var admin = new AdminClient(await meshy.AdminEndPointAsync());
        int before = meshy.Lines.Count;

        config.Rewrite(Configs.TcpProxy(upstream.EndPoint).Replace("connect_timeout = \"1s\"", "connect_timeout = \"soon\""));

        await meshy.WaitForLineAsync(new Regex(Regex.Escape(config.Path) + @":\d+:\d+: clusters\[0\]\.connect_timeout: "), before);
        await meshy.WaitForLineAsync(new Regex("previous configuration keeps serving"), before);
        Assert.Equal(1, await admin.MetricAsync("meshy_config_reloads_total{result=\"failure\"}"));
        await AssertEchoesAsync(await meshy.ListenerEndPointAsync("tcp"));
    }

    [Fact]
    public async Task Reload_PostReloadWithBadFile_Answers400WithEveryError()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        using var config = new TempConfig(Configs.TcpProxy(upstream.EndPoint));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "tcp");
        using var admin = new AdminClient(await meshy.AdminEndPointAsync());
        // Written in place (no rename) and reloaded at once; the watcher may also see it, which is fine.
        File.WriteAllText(config.Path, Configs.Header() + Configs.TcpListener("tcp", "nowhere") + "[[clusters]]\nname = \"backend\"\nendpoints = []\nbogus = 1\n");

        (HttpStatusCode status, string body) = await admin.PostAsync("reload");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        string[] errors = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(errors, e => e.StartsWith(config.Path + ":", StringComparison.Ordinal) && e.Contains("listeners[0].cluster: "));
        Assert.Contains(errors, e => e.Contains("clusters[0].bogus: unknown key"));
        await AssertEchoesAsync(await meshy.ListenerEndPointAsync("tcp"));
    }

    [Fact]
    public async Task Reload_ListenerRemoved_DrainsOpenSessionAndRefusesNewConnections()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        using var config = new TempConfig(Configs.Header("30s") + Configs.TcpListener("keep", "backend") + Configs.TcpListener("gone", "backend") + Configs.Cluster("backend", upstream.EndPoint));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "keep", "gone");
        using var admin = new AdminClient(await meshy.AdminEndPointAsync());
        IPEndPoint gone = await meshy.ListenerEndPointAsync("gone");
        using Socket session = await Loopback.ConnectAsync(gone);
        await Loopback.SendAllAsync(session, "a"u8.ToArray());
        await Loopback.ReadExactlyAsync(session, 1);

        File.WriteAllText(config.Path, Configs.Header("30s") + Configs.TcpListener("keep", "backend") + Configs.Cluster("backend", upstream.EndPoint));
        (HttpStatusCode status, _) = await admin.PostAsync("reload");

        Assert.Equal(HttpStatusCode.OK, status);
        await meshy.WaitForLineAsync(new Regex("listener gone stopped accepting"));
        await Assert.ThrowsAnyAsync<SocketException>(() => Loopback.ConnectAsync(gone));
        await Loopback.SendAllAsync(session, "b"u8.ToArray());
        Assert.Equal("b", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(session, 1)));
        session.Shutdown(SocketShutdown.Send);
        await Loopback.ReadToEndAsync(session);
        await meshy.WaitForLineAsync(new Regex("listener gone: drained"));
        await AssertEchoesAsync(await meshy.ListenerEndPointAsync("keep"));
    }

    [Fact]
    public async Task Reload_Sighup_AddsListenerAndCountsSuccess()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        using var config = new TempConfig(Configs.TcpProxy(upstream.EndPoint));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "tcp");
        using var admin = new AdminClient(await meshy.AdminEndPointAsync());
        // Written in place so that the SIGHUP, not a file event, is the likely trigger; either must work.
        File.WriteAllText(config.Path, Configs.TcpProxy(upstream.EndPoint) + Configs.TcpListener("second", "backend"));

        meshy.Signal(SigHup);

        IPEndPoint second = await meshy.ListenerEndPointAsync("second");
        await AssertEchoesAsync(second);
        await AssertEchoesAsync(await meshy.ListenerEndPointAsync("tcp"));
        Assert.True(await admin.MetricAsync("meshy_config_reloads_total{result=\"success\"}") >= 1);
        Assert.False(meshy.HasExited);
    }

    [Fact]
    public async Task Admin_ConfigAndReady_DescribeTheRunningSnapshot()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        using var config = new TempConfig(Configs.TcpProxy(upstream.EndPoint));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "tcp");
        using var admin = new AdminClient(await meshy.AdminEndPointAsync());

        (HttpStatusCode readyStatus, _) = await admin.GetAsync("ready");
        (HttpStatusCode configStatus, string body) = await admin.GetAsync("config");

        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.Equal(HttpStatusCode.OK, configStatus);
        using var document = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal(config.Path, document.RootElement.GetProperty("source").GetString());
        DateTimeOffset loadedAt = DateTimeOffset.Parse(document.RootElement.GetProperty("loaded_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(loadedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal("backend", document.RootElement.GetProperty("config").GetProperty("clusters")[0].GetProperty("name").GetString());
    }

    private static async Task AssertEchoesAsync(IPEndPoint listener)
    {
        using Socket client = await Loopback.ConnectAsync(listener);
        await Loopback.SendAllAsync(client, "ping"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal("ping", Encoding.ASCII.GetString(await Loopback.ReadToEndAsync(client)));
    }
}
