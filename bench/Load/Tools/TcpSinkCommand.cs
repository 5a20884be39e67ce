using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Meshy.Bench.Load.Cli;

namespace Meshy.Bench.Load.Tools;

/// <summary>
/// <c>tcp-sink --port P</c>: the upstream of the TCP scenarios. Each accepted connection gets one
/// greeting byte (<c>+</c>), which lets a client prove that its bytes really reach this sink through
/// the proxy, then everything it receives is read and dropped. Prints <c>{"port":N}</c> once bound.
/// </summary>
internal static class TcpSinkCommand
{
    /// <summary>The byte every new connection receives first.</summary>
    public const byte Greeting = (byte)'+';

    private static readonly byte[] GreetingBytes = [Greeting];

    public static int Run(string[] args)
    {
        var options = CommandArgs.Parse(args, StdinWatch.Flag);
        int port = options.Int("port", 0, min: 0, max: 65535);
        bool watchStdin = options.Flag(StdinWatch.Flag);
        options.RejectUnknown();

        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        listener.Listen(4096);
        int bound = ((IPEndPoint)listener.LocalEndPoint!).Port;
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"port\":{bound}}}"));
        Console.Out.Flush();
        if (watchStdin)
        {
            StdinWatch.Start();
        }

        AcceptLoopAsync(listener).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket connection = await listener.AcceptAsync();
            _ = DrainAsync(connection);
        }
    }

    private static async Task DrainAsync(Socket connection)
    {
        try
        {
            connection.NoDelay = true;
            await connection.SendAsync(GreetingBytes, SocketFlags.None);

            // Wait with an empty buffer first: the idle scenario holds a thousand connections here,
            // and a buffer per idle connection would only blur the figures of the machine.
            await connection.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
            byte[] buffer = GC.AllocateUninitializedArray<byte>(256 * 1024);
            while (await connection.ReceiveAsync(buffer, SocketFlags.None) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // Reset by the proxy or the client at the end of a run: nothing to report.
        }
        finally
        {
            connection.Dispose();
        }
    }
}
