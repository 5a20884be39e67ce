using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Meshy.Testing;

namespace Meshy.Integration.Tests;

/// <summary><c>meshy run</c> as a real process proxying TCP: data path, drain on SIGTERM, exit codes.</summary>
public sealed class RunTcpProxyTests
{
    private const int SigTerm = 15;

    [Fact]
    public async Task Run_TcpListener_ClientTalksToUpstreamThroughMeshy()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        using var config = new TempConfig(Configs.TcpProxy(upstream.EndPoint));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "tcp");

        using Socket client = await Loopback.ConnectAsync(await meshy.ListenerEndPointAsync("tcp"));
        await Loopback.SendAllAsync(client, "hello through meshy"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);

        byte[] echoed = await Loopback.ReadToEndAsync(client);
        Assert.Equal("hello through meshy", Encoding.ASCII.GetString(echoed));
        Assert.Equal(1, upstream.Accepted);
    }

    [Fact]
    public async Task Run_SigtermWithOpenSession_KeepsSessionRefusesNewAndExitsZeroWhenItEnds()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        using var config = new TempConfig(Configs.TcpProxy(upstream.EndPoint, drainTimeout: "30s"));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "tcp");
        IPEndPoint listener = await meshy.ListenerEndPointAsync("tcp");
        using Socket session = await Loopback.ConnectAsync(listener);
        await Loopback.SendAllAsync(session, "one"u8.ToArray());
        Assert.Equal("one", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(session, 3)));

        meshy.Signal(SigTerm);
        await meshy.WaitForLineAsync(new Regex("listener tcp stopped accepting"));

        // The open session still works while draining ...
        await Loopback.SendAllAsync(session, "two"u8.ToArray());
        Assert.Equal("two", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(session, 3)));
        // ... new connections are refused ...
        await Assert.ThrowsAnyAsync<SocketException>(() => Loopback.ConnectAsync(listener));
        Assert.False(meshy.HasExited);

        // ... and the process exits 0 once the session ends.
        session.Shutdown(SocketShutdown.Send);
        await Loopback.ReadToEndAsync(session);
        Assert.Equal(0, await meshy.WaitForExitAsync());
        Assert.Contains(meshy.Lines, line => line.Contains("drained: every connection finished", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_SigtermSessionOutlivesDrainTimeout_CutsItAndExitsZero()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        using var config = new TempConfig(Configs.TcpProxy(upstream.EndPoint, drainTimeout: "500ms"));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "tcp");
        using Socket session = await Loopback.ConnectAsync(await meshy.ListenerEndPointAsync("tcp"));
        await Loopback.SendAllAsync(session, "x"u8.ToArray());
        await Loopback.ReadExactlyAsync(session, 1);

        meshy.Signal(SigTerm);

        Assert.Equal(0, await meshy.WaitForExitAsync());
        Assert.True(await Loopback.WaitForCloseAsync(session), "the session should be closed by the drain timeout");
        Assert.Contains(meshy.Lines, line => Regex.IsMatch(line, @"cut 1 connection\(s\)"));
    }

    [Fact]
    public async Task Run_BadConfig_PrintsEveryErrorAndExitsOne()
    {
        using var config = new TempConfig("""
            [[listeners]]
            name = "tcp"
            address = "127.0.0.1:0"
            protocol = "tcp"
            cluster = "missing"

            [[clusters]]
            name = "backend"
            lb = "fastest"
            endpoints = [{ address = "127.0.0.1:1" }]
            """);

        (int exitCode, _, string stderr) = await MeshyProcess.RunToEndAsync(["run", "--config", config.Path]);

        Assert.Equal(1, exitCode);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, line => line.StartsWith($"{config.Path}:5:11: listeners[0].cluster: ", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith($"{config.Path}:9:6: clusters[0].lb: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_MissingConfigFile_ExitsOneNamingTheFile()
    {
        (int exitCode, _, string stderr) = await MeshyProcess.RunToEndAsync(["run", "--config", "/nonexistent/meshy.toml"]);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("/nonexistent/meshy.toml:1:1: ", stderr);
    }

    [Fact]
    public async Task Run_ConfigFromEnvironmentVariable_IsUsedWhenNoOptionIsGiven()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        using var config = new TempConfig(Configs.TcpProxy(upstream.EndPoint));
        await using MeshyProcess meshy = MeshyProcess.Start(["run"], environment: new Dictionary<string, string> { ["MESHY_CONFIG"] = config.Path });

        Match loaded = await meshy.WaitForLineAsync(new Regex(@"loaded (?<path>\S+): "));
        Assert.Equal(config.Path, loaded.Groups["path"].Value);
        await meshy.ListenerEndPointAsync("tcp");
    }

    [Fact]
    public async Task Run_ConfigInWorkingDirectory_IsUsedWhenNoOptionOrVariable()
    {
        await using FakeUpstream upstream = FakeUpstream.Echo();
        using var config = new TempConfig(Configs.TcpProxy(upstream.EndPoint));
        Directory.CreateDirectory(Path.Combine(config.Directory, "conf"));
        File.Copy(config.Path, Path.Combine(config.Directory, "conf", "meshy.toml"));
        await using MeshyProcess meshy = MeshyProcess.Start(["run"], workingDirectory: config.Directory);

        await meshy.WaitForLineAsync(new Regex(@"loaded conf/meshy\.toml: 1 listener"));
        await meshy.ListenerEndPointAsync("tcp");
    }

    [Fact]
    public async Task Run_UnknownOption_IsAUsageErrorWithExitTwo()
    {
        (int exitCode, _, string stderr) = await MeshyProcess.RunToEndAsync(["run", "--no-such-option"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("--no-such-option", stderr);
    }
}
