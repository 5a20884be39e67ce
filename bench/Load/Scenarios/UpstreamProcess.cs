using System.Net;
using System.Text.Json;
using Meshy.Bench.Load.Processes;
using Meshy.Bench.Load.Tools;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>An upstream tool of this assembly (<c>tcp-sink</c>, <c>http-upstream</c>) bound to a port it chose itself.</summary>
internal sealed class UpstreamProcess(ChildProcess process, IPEndPoint endpoint) : IAsyncDisposable
{
    public IPEndPoint Endpoint => endpoint;

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

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
