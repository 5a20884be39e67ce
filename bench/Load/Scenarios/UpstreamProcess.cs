using System.Net;
using System.Text.Json;
using Meshy.Bench.Load.Processes;
using Meshy.Bench.Load.Tools;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>An upstream tool of this assembly (<c>tcp-sink</c>, <c>http-upstream</c>) bound to a port it chose itself.</summary>
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

    public async ValueTask DisposeAsync()
    {
        await process.DisposeAsync();
        if (mirror is not null)
        {
            await mirror.DisposeAsync();
        }
    }
}
