using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Meshy.Bench.Load.Cli;

namespace Meshy.Bench.Load.Tools;

/// <summary>
/// <c>tcp-blast --target HOST:PORT --duration 10s --connections N --chunk 65536</c>: opens N
/// connections, waits for the sink's greeting on each (so every byte counted really crosses the
/// proxy), then writes chunks as fast as the kernel takes them for the duration. Prints
/// <c>{"bytes":B,"seconds":S,"connections":N,"errors":E}</c>; bytes are those the kernel accepted,
/// which exceeds what the sink read by at most the socket buffers in flight (tens of MiB at most).
/// </summary>
internal static class TcpBlastCommand
{
    public static int Run(string[] args)
    {
        var options = CommandArgs.Parse(args, StdinWatch.Flag);
        IPEndPoint target = options.EndPoint("target");
        TimeSpan duration = options.Duration("duration", TimeSpan.FromSeconds(10));
        int connections = options.Int("connections", 4, min: 1, max: 10_000);
        int chunkSize = options.Int("chunk", 65536, min: 1, max: 64 * 1024 * 1024);
        bool watchStdin = options.Flag(StdinWatch.Flag);
        options.RejectUnknown();
        if (watchStdin)
        {
            StdinWatch.Start();
        }

        return RunAsync(target, duration, connections, chunkSize).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(IPEndPoint target, TimeSpan duration, int connections, int chunkSize)
    {
        var sockets = new List<Socket>(connections);
        try
        {
            for (int i = 0; i < connections; i++)
            {
                sockets.Add(await TcpGreeting.ConnectAsync(target, TimeSpan.FromSeconds(10)));
            }

            byte[] chunk = new byte[chunkSize];
            chunk.AsSpan().Fill((byte)'x');
            using var stop = new CancellationTokenSource(duration);
            var clock = Stopwatch.StartNew();
            Task<(long Bytes, bool Failed)>[] writers = sockets.Select(s => WriteUntilAsync(s, chunk, stop.Token)).ToArray();
            (long Bytes, bool Failed)[] results = await Task.WhenAll(writers);
            double seconds = clock.Elapsed.TotalSeconds;

            long bytes = results.Sum(r => r.Bytes);
            int errors = results.Count(r => r.Failed);
            Console.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{{\"bytes\":{bytes},\"seconds\":{seconds:F4},\"connections\":{connections},\"errors\":{errors}}}"));
            return errors == connections ? 1 : 0;
        }
        catch (Exception e) when (e is SocketException or TimeoutException or IOException)
        {
            Console.Error.WriteLine($"tcp-blast: {target}: {e.Message}");
            return 1;
        }
        finally
        {
            foreach (Socket socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    private static async Task<(long Bytes, bool Failed)> WriteUntilAsync(Socket socket, byte[] chunk, CancellationToken stop)
    {
        long sent = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                sent += await socket.SendAsync(chunk, SocketFlags.None, stop);
            }
            return (sent, false);
        }
        catch (OperationCanceledException)
        {
            return (sent, false);
        }
        catch (SocketException)
        {
            return (sent, true);
        }
    }
}
