using System.Diagnostics;

namespace Meshy.Integration.Tests;

/// <summary>
/// Two network namespaces joined by a veth pair, created for one test and removed on dispose (even when
/// the test fails): <c>client</c> (10.231.N.1, where Meshy and the client run) and <c>upstream</c>
/// (10.231.N.2, where the servers run). Names are unique per run so parallel runs do not collide.
/// </summary>
internal sealed class SidecarNetwork : IAsyncDisposable
{
    private static int s_next;

    private SidecarNetwork(string client, string upstream, string subnet)
    {
        Client = client;
        Upstream = upstream;
        ClientAddress = subnet + ".1";
        UpstreamAddress = subnet + ".2";
    }

    public string Client { get; }

    public string Upstream { get; }

    public string ClientAddress { get; }

    public string UpstreamAddress { get; }

    /// <summary>The prefix that runs a command inside the client namespace.</summary>
    public IReadOnlyList<string> InClient => ["ip", "netns", "exec", Client];

    public static async Task<SidecarNetwork> CreateAsync()
    {
        int n = Interlocked.Increment(ref s_next);
        string id = $"{Environment.ProcessId % 100000}-{n}";
        var network = new SidecarNetwork($"mshc-{id}", $"mshu-{id}", $"10.231.{(Environment.ProcessId + n) % 250}");
        try
        {
            string veth = $"mv{Environment.ProcessId % 100000}x{n}";
            await RunAsync("ip", "netns", "add", network.Client);
            await RunAsync("ip", "netns", "add", network.Upstream);
            await RunAsync("ip", "link", "add", veth + "a", "netns", network.Client, "type", "veth", "peer", "name", veth + "b", "netns", network.Upstream);
            await RunAsync("ip", "-n", network.Client, "addr", "add", network.ClientAddress + "/24", "dev", veth + "a");
            await RunAsync("ip", "-n", network.Upstream, "addr", "add", network.UpstreamAddress + "/24", "dev", veth + "b");
            foreach (string ns in new[] { network.Client, network.Upstream })
            {
                await RunAsync("ip", "-n", ns, "link", "set", "lo", "up");
            }
            await RunAsync("ip", "-n", network.Client, "link", "set", veth + "a", "up");
            await RunAsync("ip", "-n", network.Upstream, "link", "set", veth + "b", "up");
            return network;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a command inside the client namespace; fails on a non-zero exit.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> InClientAsync(params string[] command) =>
        RunAsync(["ip", "netns", "exec", Client, .. command]);

    /// <summary>The client namespace's nat table as iptables-save prints it, without comments and counters.</summary>
    public async Task<string> NatTableAsync()
    {
        (_, string stdout, _) = await InClientAsync("iptables-save", "-t", "nat");
        return string.Join('\n', stdout.Split('\n').Where(line => !line.StartsWith('#')).Select(line => line.StartsWith(':') ? line.Split(' ')[0] : line));
    }

    public static string? FindTool(string name) =>
        new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] command) => RunAsync(command, check: true);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyList<string> command, bool check = true)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string word in command.Skip(1))
        {
            start.ArgumentList.Add(word);
        }
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var result = (process.ExitCode, await stdout, await stderr);
        if (check && result.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{string.Join(' ', command)}` exited {result.ExitCode}: {result.Item3}{result.Item2}");
        }
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        // Deleting a namespace kills its veth end (and so the pair) and its nat table with it.
        await RunAsync(["ip", "netns", "del", Client], check: false);
        await RunAsync(["ip", "netns", "del", Upstream], check: false);
    }
}
