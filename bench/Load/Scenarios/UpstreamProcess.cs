using System.Net;
using System.Text.Json;
using Meshy.Bench.Load.Processes;
using Meshy.Bench.Load.Proxies;
using Meshy.Bench.Load.Tools;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>
/// The upstream of a scenario: a tool of this assembly (<c>tcp-sink</c>, <c>http-upstream</c>) bound to a
/// port it chose itself, or an external server given a free port (<c>nghttpd</c>).
/// </summary>
internal sealed class UpstreamProcess(ChildProcess process, IPEndPoint endpoint, UpstreamProcess? mirror = null) : IAsyncDisposable
{
    public IPEndPoint Endpoint => endpoint;

    /// <summary>A second upstream that Meshy mirrors to, when the scenario started one.</summary>
    public IPEndPoint? MirrorEndpoint => mirror?.Endpoint;

    /// <summary>This upstream with <paramref name="second"/> as its mirror; disposing it disposes both.</summary>
    public UpstreamProcess WithMirror(UpstreamProcess second) => new(process, endpoint, second);

    /// <summary>Starts <c>SUBCOMMAND --port 0 ARGS...</c> pinned to the load core and reads the port it prints.</summary>
    public static async Task<UpstreamProcess> StartAsync(string subcommand, LoadOptions options, CancellationToken cancellationToken, params string[] arguments)
    {
        ProcessCommand command = SelfCommand.For([subcommand, "--port", "0", "--" + StdinWatch.Flag, .. arguments]).PinnedTo(options.LoadCpu, options.Scheduling);
        ChildProcess process = ChildProcess.Start(subcommand, command);
        try
        {
            string? line = await process.ReadLineAsync(TimeSpan.FromSeconds(20), cancellationToken);
            if (line is null)
            {
                throw new InvalidOperationException($"{subcommand} did not report its port: {process.Tail()}");
            }
            using JsonDocument json = JsonDocument.Parse(line);
            int port = json.RootElement.GetProperty("port").GetInt32();
            return new UpstreamProcess(process, new IPEndPoint(IPAddress.Loopback, port));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts an external server that cannot report the port it bound (nghttpd takes no port 0): on a
    /// loopback port picked free just before, as for the proxies, pinned to the load core like the
    /// bench's own upstreams, and ready once that port accepts. It stops with the run (dispose, or the
    /// runner's exit); unlike the bench's own tools it does not watch its stdin.
    /// </summary>
    public static async Task<UpstreamProcess> StartOnFreePortAsync(
        string name, Func<int, ProcessCommand> commandFor, LoadOptions options, string workDirectory, CancellationToken cancellationToken)
    {
        var endpoint = new IPEndPoint(IPAddress.Loopback, FreePort.Next());
        ChildProcess process = ChildProcess.Start(name, commandFor(endpoint.Port).PinnedTo(options.LoadCpu, options.Scheduling), workingDirectory: workDirectory);
        try
        {
            await WaitListeningAsync(process, endpoint, cancellationToken);
            return new UpstreamProcess(process, endpoint);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private static async Task WaitListeningAsync(ChildProcess process, IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        TimeSpan timeout = TimeSpan.FromSeconds(20);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await RunningProxy.WaitAcceptingAsync(endpoint, () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{process.Name} exited with code {process.ExitCode}: {process.Diagnosis()}");
                }
            }, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{process.Name} did not listen on {endpoint} within {timeout.TotalSeconds:0}s: {process.Tail()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await process.DisposeAsync();
        if (mirror is not null)
        {
            await mirror.DisposeAsync();
        }
    }
}
