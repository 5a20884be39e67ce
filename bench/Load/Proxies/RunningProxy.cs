using System.Net;
using System.Net.Sockets;
using Meshy.Bench.Load.Probes;
using Meshy.Bench.Load.Processes;

namespace Meshy.Bench.Load.Proxies;

/// <summary>A started proxy: where to send load, what to observe, and the process to kill afterwards.</summary>
internal sealed class RunningProxy(string name, IPEndPoint endpoint, ChildProcess? process, int cpu, IPEndPoint? admin = null) : IAsyncDisposable
{
    public string Name => name;

    /// <summary>Where the load generator connects.</summary>
    public IPEndPoint Endpoint => endpoint;

    public ProxyProbe Probe { get; } = new(cpu, process?.Id, admin);

    /// <summary>
    /// Waits until the listening port accepts and, when there is an admin endpoint, until
    /// <c>GET /ready</c> answers 200. An admin port that refuses connections is tolerated (it may
    /// not exist yet); a process that exits fails at once with its last output.
    /// </summary>
    public async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await WaitAcceptingAsync(endpoint, ThrowIfExited, deadline.Token);
            while (admin is not null)
            {
                ThrowIfExited();
                int? status = await AdminReadyStatusAsync(admin, deadline.Token);
                if (status is null or 200)
                {
                    break;
                }
                await Task.Delay(100, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            ThrowIfExited();
            throw new TimeoutException($"{name} was not ready on {endpoint} within {timeout.TotalSeconds:0}s{OutputSuffix()}");
        }
    }

    /// <summary>Throws with the exit code and last output when the proxy process has exited.</summary>
    public void ThrowIfExited()
    {
        if (process is { HasExited: true })
        {
            throw new InvalidOperationException($"{name} exited with code {process.ExitCode}{OutputSuffix()}");
        }
    }

    /// <summary>": last output lines" of the proxy, or nothing.</summary>
    public string OutputSuffix()
    {
        string tail = process?.Diagnosis() ?? "";
        return tail.Length == 0 ? "" : $": {tail}";
    }

    public ValueTask DisposeAsync() => process?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>
    /// Tries <paramref name="endpoint"/> until it accepts; <paramref name="throwIfExited"/> runs between tries,
    /// so a server that died fails the wait at once instead of at its deadline.
    /// </summary>
    public static async Task WaitAcceptingAsync(IPEndPoint endpoint, Action throwIfExited, CancellationToken cancellationToken)
    {
        while (!await AcceptsAsync(endpoint, cancellationToken))
        {
            throwIfExited();
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>True when a TCP connection to <paramref name="target"/> succeeds (it is closed at once).</summary>
    public static async Task<bool> AcceptsAsync(IPEndPoint target, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(target, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The status of <c>GET /ready</c>, or null when the admin port does not speak HTTP at all.</summary>
    private static async Task<int?> AdminReadyStatusAsync(IPEndPoint admin, CancellationToken cancellationToken) =>
        (await HttpProbe.TryGetAsync(admin, "/ready", TimeSpan.FromSeconds(2), cancellationToken))?.Status;
}
