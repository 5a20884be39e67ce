using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Meshy.Bench.Load.Cli;

namespace Meshy.Bench.Load.Tools;

/// <summary>
/// <c>tcp-hold --target HOST:PORT --connections N --hold 60s</c>: opens N connections (each one
/// waits for the sink's greeting, so it is proxied end to end), prints
/// <c>{"opened":N,"failed":F,"seconds":S}</c>, then holds them idle until its standard input
/// closes or the hold time ends. The runner samples the proxy's memory in between.
/// </summary>
internal static class TcpHoldCommand
{
    // Enough parallel connects to open a thousand connections in well under a second, few enough
    // not to overflow a default accept backlog.
    private const int ConnectParallelism = 64;

    public static int Run(string[] args)
    {
        var options = CommandArgs.Parse(args, StdinWatch.Flag);
        IPEndPoint target = options.EndPoint("target");
        int connections = options.Int("connections", 1000, min: 1, max: 50_000);
        TimeSpan hold = options.Duration("hold", TimeSpan.FromSeconds(60));
        bool watchStdin = options.Flag(StdinWatch.Flag);
        options.RejectUnknown();

        using var released = new CancellationTokenSource(hold);
        if (watchStdin)
        {
            // Here end of input is the runner's "done sampling", not only its death.
            StdinWatch.Start(() => released.Cancel());
        }
        return RunAsync(target, connections, released.Token).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(IPEndPoint target, int connections, CancellationToken released)
    {
        var sockets = new Socket?[connections];
        var clock = Stopwatch.StartNew();
        int failed = 0;
        string? firstError = null;
        await Parallel.ForAsync(0, connections, new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism }, async (i, _) =>
        {
            try
            {
                sockets[i] = await TcpGreeting.ConnectAsync(target, TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is SocketException or TimeoutException or IOException)
            {
                Interlocked.Increment(ref failed);
                Interlocked.CompareExchange(ref firstError, e.Message, null);
            }
        });
        double seconds = clock.Elapsed.TotalSeconds;
        int opened = connections - failed;
        Console.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"opened\":{opened},\"failed\":{failed},\"seconds\":{seconds:F3}}}"));
        Console.Out.Flush();
        if (firstError is not null)
        {
            Console.Error.WriteLine($"tcp-hold: {failed} connections failed, first: {firstError}");
        }

        try
        {
            await Task.Delay(Timeout.Infinite, released);
        }
        catch (OperationCanceledException)
        {
            // Released by the runner or by the hold time.
        }
        foreach (Socket? socket in sockets)
        {
            socket?.Dispose();
        }
        return opened == 0 ? 1 : 0;
    }
}
